// Connects an admin client (SASL settings from params.sasl) and lists the
// topics; reports the topics, or the error KafkaJS gave, without throwing.
'use strict'
const { kafka, done, errorInfo, main } = require('./common')

main(async () => {
  const admin = kafka({ retry: { retries: 0 } }).admin()
  try {
    await admin.connect()
    const topics = await admin.listTopics()
    await admin.disconnect()
    done({ ok: true, topics })
  } catch (e) {
    try {
      await admin.disconnect()
    } catch (ignored) {}
    done({ ok: false, error: errorInfo(e) })
  }
})
