// client.js — the one client configuration shared by admin.js, producer.js
// and consumer.js. Change SAMSA_BOOTSTRAP_SERVERS to point all three at
// another cluster (Apache Kafka, Redpanda); the code stays the same.
const { Kafka, logLevel } = require('kafkajs')

const brokers = (process.env.SAMSA_BOOTSTRAP_SERVERS || '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean)

const kafka = new Kafka({
  clientId: process.env.SAMSA_CLIENT_ID || 'samsa-example',
  brokers,
  logLevel: logLevel.WARN,
  retry: { retries: 5 },
})

const topic = process.env.SAMSA_TOPIC || 'payments-js'

module.exports = { kafka, topic, brokers }
