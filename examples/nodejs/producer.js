// producer.js — publishes keyed payment events and prints partition and offset.
// The key picks the partition, so each user's events stay in order.
const { kafka, topic } = require('./client')

const count = Number(process.argv[2] || 12)
const users = ['alice', 'bob', 'carol', 'dave']

async function main() {
  const producer = kafka.producer()
  await producer.connect()
  try {
    for (let i = 0; i < count; i++) {
      const user = users[i % users.length]
      const [meta] = await producer.send({
        topic,
        acks: -1, // wait until the broker stored it durably
        messages: [{ key: user, value: JSON.stringify({ user, amount: 10 + i }), headers: { 'event-type': 'payment' } }],
      })
      console.log(`key ${user} -> partition ${meta.partition} offset ${meta.baseOffset}`)
    }
  } finally {
    await producer.disconnect()
  }
}

main().catch((e) => {
  console.error(`error: ${e.message}`)
  process.exit(1)
})
