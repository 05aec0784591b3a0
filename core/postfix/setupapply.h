// Carrying out a SetupPlan on a Postfix instance, all or nothing.
//
// Contract: main.cf, master.cf and every file the plan touches are saved
// in memory first. If any step fails, they are written back byte for byte
// and the result names the step and the reason. Postfix is reloaded only
// after every other step succeeded, and only when it was running.
#pragma once

#include "postfixsetup.h"

namespace aliassync {

struct ApplyResult {
    bool succeeded = false;
    QString failedStep;     // one of applySteps(), when !succeeded
    QString error;
    bool restored = false;  // the files were written back after a failure
    QStringList done;       // what was carried out, for the report
};

// The step names, in order; ALIAS_SYNC_TEST_FAIL_STEP names one of them in test builds.
QStringList applySteps();

// True when main.cf and master.cf are exactly as configure-postfix left
// them, so --undo can restore the bytes saved before it ran.
bool backupMatchesCurrent(const SetupSettings &settings, const QString &configDirectory);

ApplyResult applyPlan(const SetupPlan &plan, const PostfixTools &tools, const SetupSettings &settings);

} // namespace aliassync
