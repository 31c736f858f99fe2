// admin.js — creates a topic with 3 partitions and describes it.
const { kafka, topic } = require('./client')

async function main() {
  const admin = kafka.admin()
  await admin.connect()
  try {
    // createTopics resolves false (not an error) when the topic already exists.
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })
    console.log(created ? `created topic ${topic} with 3 partitions` : `topic ${topic} already exists`)

    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    for (const t of topics) {
      console.log(`topic ${t.name}: ${t.partitions.length} partitions`)
      for (const p of t.partitions) console.log(`  partition ${p.partitionId} leader ${p.leader}`)
    }
    // Offsets: low = oldest stored, high = where the next message goes.
    for (const o of await admin.fetchTopicOffsets(topic)) {
      console.log(`  partition ${o.partition} offsets ${o.low}..${o.high}`)
    }
  } finally {
    await admin.disconnect()
  }
}

main().catch((e) => {
  console.error(`error: ${e.message}`)
  process.exit(1)
})
