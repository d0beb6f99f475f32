#include "model/variants/registry.hpp"

namespace hugecheck::model {

const std::vector<const Variant*>& all_variants() {
    static const std::vector<const Variant*> list = {
        &variants::v2_6_24(), &variants::seed(), &variants::seed_zone_check(), &variants::v4_19(),
        &variants::v5_4(),    &variants::v6_6(), &variants::v6_18(),
    };
    return list;
}

}  // namespace hugecheck::model
