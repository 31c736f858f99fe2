// Consumes params.count messages from params.topic in group params.groupId and
// reports them (partition, offset, base64 key/value, header list).
'use strict'
const { params, kafka, done, b64, headersOut, main } = require('./common')

main(async () => {
  const consumer = kafka().consumer({
    groupId: params.groupId,
    sessionTimeout: params.sessionTimeout || 10000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 200,
    maxBytesPerPartition: 8 * 1024 * 1024,
    readUncommitted: !!params.readUncommitted,
  })
  const messages = []
  const started = Date.now()
  let firstAt = null
  await consumer.connect()
  await consumer.subscribe({ topic: params.topic, fromBeginning: params.fromBeginning !== false })
  let finish
  const finished = new Promise((resolve) => { finish = resolve })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (firstAt === null) firstAt = Date.now()
      messages.push({
        partition,
        offset: message.offset,
        key: b64(message.key),
        value: b64(message.value),
        headers: headersOut(message.headers),
      })
      if (messages.length >= params.count) finish()
    },
  })
  const timer = setTimeout(finish, params.timeoutMs || 60000)
  await finished
  clearTimeout(timer)
  await consumer.disconnect()
  done({ messages, firstMessageMs: firstAt === null ? null : firstAt - started })
})
