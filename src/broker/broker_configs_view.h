// The broker resource as DescribeConfigs shows it: the broker's own settings
// and the broker-level defaults for topic configs (log.retention.ms, ...).
#pragma once

#include <vector>

#include "broker/broker_config.h"
#include "storage/log_config.h"

namespace samsa::broker {

std::vector<storage::config_entry> describe_broker_configs(const broker_config& config);

}  // namespace samsa::broker
