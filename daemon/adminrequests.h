// The admin's requests on the control socket other than status: add,
// remove and list managed aliases, and reconcile the two servers. Changes
// run through the same two-phase commit and the same checks as mail
// requests; the admin counts as an administrator.
#pragma once

#include "aliasoperation.h"
#include "config.h"
#include "controlserver.h"

#include <QJsonObject>

namespace aliassync {

class AliasFile;
class AliasHandler;
class PeerRequests;
class TransactionEngine;

class AdminRequests
{
public:
    AdminRequests(const Config &config, TransactionEngine &engine, AliasHandler &handler, PeerRequests &peer);

    // Handles a request of a type listed in specs/local-protocol.md; false
    // when the type is not one of these.
    bool handle(const QJsonObject &request, const ControlServer::Reply &reply);

    // The reply to the peer's "entries" question: this server's managed entries.
    QJsonObject entriesReply(const QJsonObject &question) const;

private:
    void addOrRemove(const QJsonObject &request, AliasOperation::Action action, const ControlServer::Reply &reply);
    void list(const ControlServer::Reply &reply);
    void showDifference(const ControlServer::Reply &reply);
    void copyEntries(const QJsonObject &request, const ControlServer::Reply &reply);
    void run(const AliasOperation &operation, const ControlServer::Reply &reply);
    QJsonObject localEntries(QString *error) const;

    const Config &m_config;
    TransactionEngine &m_engine;
    AliasHandler &m_handler;
    PeerRequests &m_peer;
};

// An operation coordinated by this server, with what every operation
// carries about the coordinator: its name, the time, its managed file's
// fingerprint and whether other transactions are in flight.
AliasOperation operationFromHere(const Config &config, const AliasFile &file, const TransactionEngine &engine,
                                 AliasOperation::Action action);

} // namespace aliassync
