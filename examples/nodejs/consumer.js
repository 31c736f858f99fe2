// consumer.js — joins a group, prints assignment changes and each message,
// commits after processing. Stops after MAX messages (argv[3]) or 10 s idle.
const { kafka, topic } = require('./client')

const groupId = process.argv[2] || 'payments-js-app'
const max = Number(process.argv[3] || 0)

async function main() {
  const consumer = kafka.consumer({ groupId })
  let received = 0
  let lastActivity = Date.now()

  // The group coordinator tells us which partitions we own after each rebalance.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const parts = Object.entries(payload.memberAssignment)
      .map(([t, ps]) => ps.map((p) => `${t}[${p}]`).join(' '))
      .join(' ')
    console.log(`assigned: ${parts || '(nothing)'}`)
    lastActivity = Date.now()
  })

  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let done
  const finished = new Promise((resolve) => (done = resolve))
  await consumer.run({
    autoCommit: false, // we commit ourselves, after processing
    eachMessage: async ({ topic: t, partition, message }) => {
      console.log(`partition ${partition} offset ${message.offset} key ${message.key} value ${message.value}`)
      await consumer.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }])
      received++
      lastActivity = Date.now()
      if (max > 0 && received >= max) done()
    },
  })
  const idle = setInterval(() => {
    if (Date.now() - lastActivity > 10000) done()
  }, 500)
  await finished
  clearInterval(idle)
  await consumer.disconnect() // leave the group so others take over at once
  console.log(`processed ${received} messages`)
}

main().catch((e) => {
  console.error(`error: ${e.message}`)
  process.exit(1)
})
