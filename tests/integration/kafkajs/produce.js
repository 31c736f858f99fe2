// Produces params.messages (base64 key/value, header list) to params.topic and
// reports the partition and offset of every message in send order.
'use strict'
const { Partitioners, CompressionTypes } = require('kafkajs')
const { params, kafka, done, unb64, headersIn, main } = require('./common')

main(async () => {
  // The partition chosen for each message object (retries may ask again).
  const chosen = new Map()
  const recordingPartitioner = () => {
    const def = Partitioners.DefaultPartitioner()
    return (args) => {
      const p = def(args)
      chosen.set(args.message, p)
      return p
    }
  }
  // Idempotent producers keep one request in flight so KafkaJS can retry in order.
  const producer = kafka().producer({
    createPartitioner: recordingPartitioner,
    allowAutoTopicCreation: false,
    idempotent: !!params.idempotent,
    maxInFlightRequests: params.idempotent ? 1 : undefined,
  })
  await producer.connect()
  const compression = params.compression ? CompressionTypes[params.compression.toUpperCase()] : CompressionTypes.None
  const results = []
  const chunk = params.chunk || 500
  for (let i = 0; i < params.messages.length; i += chunk) {
    const slice = params.messages.slice(i, i + chunk)
    chosen.clear()
    const messages = slice.map((m) => ({ key: unb64(m.key), value: unb64(m.value), headers: headersIn(m.headers) }))
    const meta = await producer.send({
      topic: params.topic,
      acks: params.acks === undefined ? -1 : params.acks,
      compression,
      messages,
    })
    const base = {}
    for (const r of meta) {
      if (r.errorCode !== 0) throw new Error(`partition ${r.partition} error ${r.errorCode}`)
      base[r.partition] = BigInt(r.baseOffset)
    }
    const seen = {}
    for (const m of messages) {
      const p = chosen.get(m)
      const n = seen[p] || 0n
      seen[p] = n + 1n
      results.push({ partition: p, offset: (base[p] + n).toString() })
    }
  }
  await producer.disconnect()
  done({ results })
})
