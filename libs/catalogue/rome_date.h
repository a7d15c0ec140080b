// Publication dates are Italian calendar dates (Europe/Rome), whatever the server's time zone.
#ifndef OMNIA_LIBS_CATALOGUE_ROME_DATE_H_
#define OMNIA_LIBS_CATALOGUE_ROME_DATE_H_

#include "absl/time/time.h"
#include "libs/domain/period.h"

namespace omnia::catalogue {

// The date in Europe/Rome at `time`. Uses the system's time-zone database; where it is missing
// (minimal container images), the EU rule that Italy follows: UTC+1, and UTC+2 from 01:00 UTC on
// the last Sunday of March to 01:00 UTC on the last Sunday of October.
domain::Date RomeDate(absl::Time time);

// The date by the EU rule alone, without the database: the fallback of RomeDate, public so that
// tests can check it against the database.
domain::Date RomeDateByEuRule(absl::Time time);

}  // namespace omnia::catalogue

#endif  // OMNIA_LIBS_CATALOGUE_ROME_DATE_H_
