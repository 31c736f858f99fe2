// Transactions with KafkaJS for test_transactions.py. params.transactions is a
// list of { commit, messages: [{partition, value(base64)}], offsets? } run in
// order by one transactional producer (params.transactionalId); `offsets`
// ({group, topic, partitions: [{partition, offset}]}) are added with
// sendOffsets. Reports the offset of every message, per transaction.
// With params.fence, a second producer with the same transactional id starts
// while the first is inside a transaction, and the first's next send and its
// commit are reported (they must fail as fenced).
'use strict'
const { params, kafka, done, unb64, errorInfo, main } = require('./common')

function producerFor(client) {
  return client.producer({ transactionalId: params.transactionalId, idempotent: true, maxInFlightRequests: 1,
                           transactionTimeout: params.transactionTimeout || 30000 })
}

async function sendOne(txn, m) {
  const meta = await txn.send({ topic: params.topic, acks: -1,
                                messages: [{ partition: m.partition, value: unb64(m.value) }] })
  return { partition: meta[0].partition, offset: meta[0].baseOffset }
}

async function runPlan(producer) {
  const results = []
  for (const t of params.transactions) {
    const txn = await producer.transaction()
    const offsets = []
    for (const m of t.messages) offsets.push(await sendOne(txn, m))
    if (t.offsets) {
      await txn.sendOffsets({ consumerGroupId: t.offsets.group,
                              topics: [{ topic: t.offsets.topic, partitions: t.offsets.partitions
                                .map((p) => ({ partition: p.partition, offset: String(p.offset) })) }] })
    }
    if (t.commit) await txn.commit()
    else await txn.abort()
    results.push(offsets)
  }
  return results
}

async function fence(client) {
  const first = producerFor(client)
  await first.connect()
  const txn1 = await first.transaction()
  const before = await sendOne(txn1, { partition: 0, value: Buffer.from('first-before').toString('base64') })
  const second = producerFor(client)
  await second.connect()
  const txn2 = await second.transaction()
  const out = { before }
  try {
    await sendOne(txn1, { partition: 0, value: Buffer.from('first-after').toString('base64') })
    out.sendAfter = 'ok'
  } catch (e) {
    out.sendAfter = errorInfo(e)
  }
  try {
    await txn1.commit()
    out.commitAfter = 'ok'
  } catch (e) {
    out.commitAfter = errorInfo(e)
  }
  out.secondOffset = await sendOne(txn2, { partition: 0, value: Buffer.from('second').toString('base64') })
  await txn2.commit()
  await second.disconnect()
  await first.disconnect().catch(() => {})
  return out
}

main(async () => {
  const client = kafka({ retry: { retries: 2, initialRetryTime: 100 } })
  if (params.fence) {
    done({ fence: await fence(client) })
    return
  }
  const producer = producerFor(client)
  await producer.connect()
  const results = await runPlan(producer)
  await producer.disconnect()
  done({ results })
})
