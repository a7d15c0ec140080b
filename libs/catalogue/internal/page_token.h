// Opaque page tokens: a small proto message, base64url-encoded. Not part of the public API.
#ifndef OMNIA_LIBS_CATALOGUE_INTERNAL_PAGE_TOKEN_H_
#define OMNIA_LIBS_CATALOGUE_INTERNAL_PAGE_TOKEN_H_

#include <string>
#include <string_view>

#include "google/protobuf/message_lite.h"

namespace omnia::catalogue {

std::string EncodePageToken(const google::protobuf::MessageLite& token);

// False when `text` is not a token of this message type (the caller reports INVALID_ARGUMENT).
bool DecodePageToken(std::string_view text, google::protobuf::MessageLite* token);

}  // namespace omnia::catalogue

#endif  // OMNIA_LIBS_CATALOGUE_INTERNAL_PAGE_TOKEN_H_
