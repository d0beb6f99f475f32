// The variants of this build. To add one: write model/variants/<name>.cpp with a function
// returning its Variant (copy the closest version's file), declare it here, and list it in
// registry.cpp (docs/variants.md).
#pragma once

#include "model/variant.hpp"

namespace hugecheck::model::variants {

const Variant& v2_6_24();
const Variant& seed();
const Variant& seed_zone_check();  // in seed.cpp: a patch variant
const Variant& v4_19();
const Variant& v5_4();
const Variant& v6_6();
const Variant& v6_18();

}  // namespace hugecheck::model::variants
