// Offset lookups through the KafkaJS admin client: earliest/latest per
// partition and the first offset at or after a timestamp.
'use strict'
const { params, kafka, done, main } = require('./common')

main(async () => {
  const admin = kafka().admin()
  await admin.connect()
  const latest = await admin.fetchTopicOffsets(params.topic)
  const byTime = await admin.fetchTopicOffsetsByTimestamp(params.topic, params.timestamp)
  await admin.disconnect()
  done({ latest, byTime })
})
