/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Recovery at start (and on SIGHUP): the sets a daemon before us left,
 * read back from their state files. */
#pragma once

#include "lifecycle.h"
#include "registry.h"
#include "rundir.h"

/* Takes up every set with a state file whose pins are intact (or whose
 * fds fdstore_claim() has), and removes pins that have no state file (a
 * create or release cut short). A damaged state file or a missing pin is
 * reported and left alone; the state file of an fd-pinned set whose fds
 * did not come back is removed. Sets already in reg are not touched, so
 * it can run again to pick up new ones (SIGHUP). At start (starting) it
 * also removes the pins a daemon before made ahead for its pools (pin.h);
 * later they are this daemon's own. */
int recover_sets(struct lifecycle *lc, const struct rundir *rd, struct registry *reg,
                 bool starting);
