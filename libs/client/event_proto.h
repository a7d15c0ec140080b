// Raw events as the StreamEvents contract carries them, for producers that read them from files.
#pragma once

#include "libs/domain/events.h"
#include "omnia/v1/ingestion.pb.h"

namespace omnia::client {

void ToProto(const domain::ApplicationAuthorized& event, v1::ApplicationAuthorized* out);
void ToProto(const domain::PaymentIssued& event, v1::PaymentIssued* out);

}  // namespace omnia::client
