#!/usr/bin/env bash
# Builds the `fuzz` preset (clang, libFuzzer + ASan + UBSan) and runs the fuzz targets one
# after another, one process each, for N seconds apiece (default 60). docs/fuzzing.md.
#
#   fuzz/run.sh [seconds-per-target] [target...]     targets: frame config csv idx bristol
#
# Each run starts from the committed seeds (fuzz/corpus/<target>) and the regressions; new
# corpus entries go to build-fuzz/corpus/<target>/ (scratch, not in git), crashes, OOMs and
# timeouts to build-fuzz/crashes/<target>/, libFuzzer's log to build-fuzz/logs/<target>.log.
# Exits 1 if any target found something new.
set -euo pipefail

seconds=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(frame config csv idx bristol)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
out=$root/build-fuzz

# Inputs longer than this only slow the fuzzer down: the largest seed is the 64-bit adder.
max_len() {
  case $1 in
    frame) echo 2048 ;;   # a hello, data frames and an abort reason (at most 1024 bytes)
    config) echo 4096 ;;  # a consortium file of a few parties
    csv) echo 2048 ;;
    idx) echo 1024 ;;     # a few small images
    bristol) echo 16384 ;;
    *) echo "unknown target '$1' (frame config csv idx bristol)" >&2; exit 2 ;;
  esac
}

cmake --preset fuzz >/dev/null
for t in "${targets[@]}"; do max_len "$t" >/dev/null; done
cmake --build "$out" -j1 --target "${targets[@]/%/_fuzz}"

found=0
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t" "$out/crashes/$t" "$out/logs"
  regressions=()
  [[ -d fuzz/regressions/$t ]] && regressions=("fuzz/regressions/$t")
  echo "== $t: ${seconds} s, max_len $(max_len "$t")"
  touch "$out/logs/$t.start"  # findings of earlier runs stay, but only new ones count
  # -jobs=1 runs one worker process that writes its log to fuzz-0.log in the current folder;
  # the parent then repeats that log on stdout, which goes to <target>.parent.log instead.
  (cd "$out/logs" && rm -f fuzz-0.log &&
    "$out/fuzz/${t}_fuzz" -jobs=1 -max_total_time="$seconds" -max_len="$(max_len "$t")" \
      -timeout=10 -print_final_stats=1 -artifact_prefix="$out/crashes/$t/" \
      "$out/corpus/$t" "$root/fuzz/corpus/$t" "${regressions[@]/#/$root/}" \
      >"$out/logs/$t.parent.log" 2>&1 || true)
  mv "$out/logs/fuzz-0.log" "$out/logs/$t.log"
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|SUMMARY)' \
    "$out/logs/$t.log" || true
  new=$(find "$out/crashes/$t" -type f -newer "$out/logs/$t.start")
  if [[ -n $new ]]; then
    echo "   new findings:"
    echo "$new" | sed 's/^/   /'
    found=1
  fi
done
exit $found
