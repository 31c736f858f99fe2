// Group administration through KafkaJS: list, describe (with decoded member
// assignments), fetch offsets, reset offsets, delete groups.
'use strict'
const { AssignerProtocol } = require('kafkajs')
const { params, kafka, done, main, errorInfo } = require('./common')

main(async () => {
  const admin = kafka().admin()
  await admin.connect()
  const out = {}
  for (const op of params.ops) {
    try {
      if (op.op === 'list') {
        out[op.id] = (await admin.listGroups()).groups
      } else if (op.op === 'describe') {
        const d = await admin.describeGroups(op.groups)
        out[op.id] = d.groups.map((g) => ({
          groupId: g.groupId, state: g.state, protocolType: g.protocolType, protocol: g.protocol,
          members: g.members.map((m) => ({
            memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost,
            assignment: m.memberAssignment && m.memberAssignment.length
              ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment).assignment : null,
          })),
        }))
      } else if (op.op === 'offsets') {
        out[op.id] = await admin.fetchOffsets({ groupId: op.group, topics: [op.topic] })
      } else if (op.op === 'reset') {
        await admin.resetOffsets({ groupId: op.group, topic: op.topic, earliest: !!op.earliest })
        out[op.id] = true
      } else if (op.op === 'set') {
        await admin.setOffsets({ groupId: op.group, topic: op.topic, partitions: op.partitions })
        out[op.id] = true
      } else if (op.op === 'delete') {
        out[op.id] = await admin.deleteGroups(op.groups)
      }
    } catch (e) {
      const inner = (e.errors && e.errors[0]) || e
      out[op.id] = { error: errorInfo(inner), groups: e.groups || null }
    }
  }
  await admin.disconnect()
  done(out)
})
