// A variant's step table as text: what `hugecheck steps` prints and what docs/variants.md
// embeds (a test keeps the two the same).
#pragma once

#include <string>

#include "model/variant.hpp"

namespace hugecheck::cli {

std::string steps_markdown(const model::Variant& v);
std::string steps_text(const model::Variant& v);

}  // namespace hugecheck::cli
