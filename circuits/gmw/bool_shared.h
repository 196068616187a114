// XOR-shared bits, packed 64 to a word (protocols/binary.h): the boolean counterpart of Shared.
#pragma once

#include "protocols/binary.h"

namespace jointly::circuits {

using jointly::BoolShared;

}  // namespace jointly::circuits
