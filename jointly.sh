#!/usr/bin/env bash
# jointly's one entry point. On a fresh Debian 12 machine:
#   ./jointly.sh demo    install what is missing, build jointly-sim and jointly-party, train on the shipped data
#   ./jointly.sh test    install what is missing, build everything (tests included), run every test
#   ./jointly.sh build   install what is missing and build (Release) into ./build
#   ./jointly.sh deps    only install the Debian packages the build needs
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${JOINTLY_BUILD_DIR:-build}
JOBS=${JOINTLY_JOBS:-2}

# Debian 12 packages the build, the tests and the demo need.
PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libssl-dev libsodium-dev libgmp-dev libeigen3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev zlib1g-dev
  dataset-fashion-mnist
)

say() { printf '\033[1mjointly:\033[0m %s\n' "$*" >&2; }

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing missing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "need root (or sudo) to install: ${missing[*]}"; exit 1; }
    sudo=sudo
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# build [target...]: configure once, then build the given targets (all of them when none).
build() {
  deps
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
  fi
  local targets=()
  [ $# -gt 0 ] && targets=(--target "$@")
  cmake --build "$BUILD_DIR" -j "$JOBS" "${targets[@]}"
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  demo)
    # Only what the demo runs: jointly-sim starts one jointly-party per party (the tests are
    # built by `./jointly.sh test`).
    build jointly-sim jointly-party
    say "3 hospitals train a logistic regression on their breast-cancer records (455 rows split 3 ways, replicated sharing: no dealer)"
    "$BUILD_DIR/parties/jointly-sim" --parties 3 --protocol replicated --model logreg \
      --data data/breast_cancer_train.csv --test data/breast_cancer_test.csv \
      --epochs 10 --batch 32 --lr 0.1 "${@:2}"
    ;;
  test)
    build
    ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600 "${@:2}"
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
