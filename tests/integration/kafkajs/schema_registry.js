// @kafkajs/confluent-schema-registry against Samsa's registry: registers an
// Avro, a JSON Schema and a Protobuf schema, encodes values with each,
// produces them with KafkaJS, consumes them back and decodes them (the
// decoder fetches each schema by the id in the record). Also an incompatible
// registration, which must be refused. Params: {brokers, registry, topic}.
'use strict'
const { params, kafka, done, main } = require('./common')
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')

main(async () => {
  const registry = new SchemaRegistry({ host: params.registry })
  const topic = params.topic
  const avro = {
    type: 'record', name: 'Payment', namespace: 'shop',
    fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }],
  }
  const json = {
    type: 'object', properties: { id: { type: 'string' }, amount: { type: 'number' } },
    required: ['id', 'amount'], additionalProperties: false,
  }
  const proto = 'syntax = "proto3";\npackage shop;\nmessage Payment {\n  string id = 1;\n  double amount = 2;\n}\n'
  const ids = {}
  ids.avro = (await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(avro) },
    { subject: `${topic}-avro` })).id
  ids.json = (await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(json) },
    { subject: `${topic}-json` })).id
  ids.protobuf = (await registry.register({ type: SchemaType.PROTOBUF, schema: proto },
    { subject: `${topic}-protobuf` })).id

  const values = { avro: { id: 'a1', amount: 1.5 }, json: { id: 'j1', amount: 2.5 }, protobuf: { id: 'p1', amount: 3.5 } }
  const producer = kafka().producer()
  await producer.connect()
  for (const kind of ['avro', 'json', 'protobuf']) {
    await producer.send({ topic, messages: [{ key: kind, value: await registry.encode(ids[kind], values[kind]) }] })
  }
  await producer.disconnect()

  const consumer = kafka().consumer({ groupId: `g-${topic}` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const decoded = {}
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out consuming')), 30000)
    consumer.run({
      eachMessage: async ({ message }) => {
        const v = await registry.decode(message.value)
        decoded[message.key.toString()] = { id: v.id, amount: v.amount, magic: message.value[0], schemaId: message.value.readUInt32BE(1) }
        if (Object.keys(decoded).length === 3) {
          clearTimeout(timer)
          resolve()
        }
      },
    }).catch(reject)
  })
  await consumer.disconnect()

  let incompatible = null
  try {
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify({
      ...avro, fields: [...avro.fields, { name: 'country', type: 'string' }] }) }, { subject: `${topic}-avro` })
  } catch (e) {
    incompatible = { status: e.status || null, message: String(e.message) }
  }
  const latest = await registry.getLatestSchemaId(`${topic}-avro`)
  done({ ids, decoded, incompatible, latest })
})
