// A KafkaJS group member that prints the same JSON event lines as
// group_worker.py (assignment, msg after a synchronous commit, first, closed)
// and leaves the group on SIGTERM.
'use strict'
const { params, kafka, main } = require('./common')

function emit(ev) {
  ev.t = Date.now() / 1000
  process.stdout.write(JSON.stringify(ev) + '\n')
}

main(async () => {
  const consumer = kafka({ clientId: params.clientId || 'samsa-it-member' }).consumer({
    groupId: params.groupId,
    sessionTimeout: params.sessionTimeout || 6000,
    heartbeatInterval: 500,
    rebalanceTimeout: params.rebalanceTimeout || 20000,
    maxWaitTimeInMs: 200,
  })
  const { GROUP_JOIN } = consumer.events
  consumer.on(GROUP_JOIN, (e) => {
    const parts = (e.payload.memberAssignment[params.topic] || []).slice().sort((a, b) => a - b)
    emit({ ev: 'assignment', parts })
  })
  await consumer.connect()
  await consumer.subscribe({ topic: params.topic, fromBeginning: true })
  const started = Date.now()
  let first = true
  let stopping = false
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      if (stopping) return
      if (first) { emit({ ev: 'first', ms: Date.now() - started }); first = false }
      const next = (BigInt(message.offset) + 1n).toString()
      try {
        await consumer.commitOffsets([{ topic, partition, offset: next }])
        emit({ ev: 'msg', p: partition, o: Number(message.offset), seq: Number(message.value.toString()) })
      } catch (e) {
        emit({ ev: 'commit_failed', p: partition, o: Number(message.offset), err: String(e && e.type) })
        throw e
      }
    },
  })
  await new Promise((resolve) => {
    process.on('SIGTERM', resolve)
    process.on('SIGINT', resolve)
  })
  stopping = true
  await consumer.disconnect()
  emit({ ev: 'closed' })
})
