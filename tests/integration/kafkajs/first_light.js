// Cluster metadata through the KafkaJS admin client.
'use strict'
const { params, kafka, done, main } = require('./common')

main(async () => {
  const admin = kafka().admin()
  await admin.connect()
  const cluster = await admin.describeCluster()
  const topics = await admin.listTopics()
  const metadata = await admin.fetchTopicMetadata(params.topics ? { topics: params.topics } : undefined)
  await admin.disconnect()
  done({ cluster, topics, metadata })
})
