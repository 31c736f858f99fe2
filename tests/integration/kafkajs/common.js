// Shared plumbing for the KafkaJS scripts: read the JSON params file named by
// argv[2], build a Kafka client, and write the JSON result to argv[3].
'use strict'
const fs = require('fs')
const { Kafka, logLevel } = require('kafkajs')

const params = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))

// params.ssl: {ca, cert, key} PEM file paths (cert/key optional) for SSL listeners.
function sslOptions() {
  if (!params.ssl) return {}
  const read = (path) => (path ? fs.readFileSync(path, 'utf8') : undefined)
  return {
    ssl: {
      ca: [read(params.ssl.ca)],
      cert: read(params.ssl.cert),
      key: read(params.ssl.key),
      servername: 'localhost',
    },
  }
}

// params.sasl: {mechanism: 'plain'|'scram-sha-256'|'scram-sha-512', username,
// password} or {mechanism: 'oauthbearer', token} for SASL listeners.
function saslOptions() {
  if (!params.sasl) return {}
  const s = params.sasl
  if (s.mechanism === 'oauthbearer') {
    return { sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: s.token }) } }
  }
  return { sasl: { mechanism: s.mechanism, username: s.username, password: s.password } }
}

function kafka(extra = {}) {
  return new Kafka({
    ...sslOptions(),
    ...saslOptions(),
    clientId: params.clientId || 'samsa-it-kafkajs',
    brokers: params.brokers,
    logLevel: logLevel.WARN,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { retries: 5, initialRetryTime: 200 },
    ...extra,
  })
}

function done(result) {
  fs.writeFileSync(process.argv[3], JSON.stringify(result))
}

function b64(buf) {
  return buf === null || buf === undefined ? null : Buffer.from(buf).toString('base64')
}

function unb64(s) {
  return s === null || s === undefined ? null : Buffer.from(s, 'base64')
}

// KafkaJS gives headers as an object whose values are a Buffer or, for a key
// repeated in the record, an array of Buffers.
function headersOut(h) {
  const out = []
  for (const [k, v] of Object.entries(h || {})) {
    if (Array.isArray(v)) for (const x of v) out.push([k, b64(x)])
    else out.push([k, b64(v)])
  }
  return out
}

function headersIn(list) {
  const h = {}
  for (const [k, v] of list || []) {
    const buf = unb64(v)
    if (k in h) h[k] = [].concat(h[k], [buf])
    else h[k] = buf
  }
  return h
}

function errorInfo(e) {
  return { name: e && e.name, type: e && e.type, message: e && e.message, code: e && e.code }
}

async function main(fn) {
  try {
    await fn()
    process.exit(0)
  } catch (e) {
    console.error('FAILED', e && e.stack, JSON.stringify(errorInfo(e)))
    process.exit(1)
  }
}

module.exports = { params, kafka, done, b64, unb64, headersOut, headersIn, errorInfo, main }
