// Runs the topic admin scenario with the KafkaJS admin client and reports the
// outcome of every step ({ok, value} or {error: {type, message}}).
'use strict'
const { ConfigResourceTypes } = require('kafkajs')
const { params, kafka, done, main } = require('./common')

function errorOf(e) {
  const inner = (e.errors && e.errors[0]) || (e.originalError) || e
  return { name: e.name, type: inner.type || e.type, message: inner.message || e.message }
}

main(async () => {
  const admin = kafka({ retry: { retries: 1, initialRetryTime: 100 } }).admin()
  await admin.connect()
  const steps = {}
  async function step(name, fn) {
    try {
      steps[name] = { ok: true, value: (await fn()) ?? null }
    } catch (e) {
      steps[name] = { ok: false, error: errorOf(e) }
    }
  }
  const t = params.topic
  const topicCfg = (name) => admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name }], includeSynonyms: false,
  }).then((r) => r.resources[0].configEntries.map((c) => ({ name: c.configName, value: c.configValue, isDefault: c.isDefault, source: c.configSource })))
  const partitions = async (name) => (await admin.fetchTopicMetadata({ topics: [name] })).topics[0].partitions.length

  await step('create', () => admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: t, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '86400000' }] }],
  }))
  await step('create_rf_default', () => admin.createTopics({ topics: [{ topic: t + '-rfd', numPartitions: 2, replicationFactor: -1 }] }))
  await step('create_rf3', () => admin.createTopics({ topics: [{ topic: t + '-rf3', numPartitions: 1, replicationFactor: 3 }] }))
  await step('create_duplicate', () => admin.createTopics({ topics: [{ topic: t, numPartitions: 1 }] }))
  for (const [i, bad] of params.badNames.entries()) {
    await step('create_invalid_' + i, () => admin.createTopics({ topics: [{ topic: bad, numPartitions: 1 }] }))
  }
  await step('create_underscore', () => admin.createTopics({ topics: [{ topic: params.underscore, numPartitions: 1 }] }))
  await step('create_dot_collision', () => admin.createTopics({ topics: [{ topic: params.dot, numPartitions: 1 }] }))
  await step('list', () => admin.listTopics())
  await step('describe_partitions', () => partitions(t))
  await step('describe_configs', () => topicCfg(t))
  await step('alter_configs', () => admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: t, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'cleanup.policy', value: 'compact' }] }],
  }))
  await step('describe_configs_after', () => topicCfg(t))
  await step('alter_bad_config', () => admin.alterConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: t, configEntries: [{ name: 'retention.ms', value: 'soon' }] }],
  }))
  await step('add_partitions', () => admin.createPartitions({ topicPartitions: [{ topic: t, count: 5 }] }))
  await step('partitions_after', () => partitions(t))
  await step('shrink_partitions', () => admin.createPartitions({ topicPartitions: [{ topic: t, count: 2 }] }))
  await step('delete', () => admin.deleteTopics({ topics: [t, t + '-rfd'] }))
  await step('list_after_delete', () => admin.listTopics())
  await admin.disconnect()
  done({ steps })
})
