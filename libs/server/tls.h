// Credentials on the wire: TLS (optionally mutual) for every omnia server and for the channels
// between services and from clients, and the bearer token a client attaches to write and admin
// calls (see auth.h for the server side of tokens).
//
// Plaintext stays the default so a developer machine needs no certificates: TLS is on for a
// server when a certificate and key are given, and for a channel when a CA is given.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace omnia::server {

// Server credentials from PEM files. With `cert_file` (the certificate chain, leaf first) and
// `key_file`: TLS. With `client_ca_file` as well: mutual TLS, where every client must present a
// certificate issued by that CA or the handshake fails. All three empty: plaintext. Files are
// read and checked now (the key must match the certificate) so that a bad setup stops the
// server at startup with a message naming the file, never quoting its content.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFromFiles(
    const std::string& cert_file, const std::string& key_file, const std::string& client_ca_file);

// Channel credentials from PEM files. With `ca_file`: TLS, trusting only servers whose
// certificate that CA issued for the host name or IP address dialled. With `client_cert_file` and
// `client_key_file` as well: the client certificate for servers that require one. All empty:
// plaintext.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFromFiles(
    const std::string& ca_file, const std::string& client_cert_file,
    const std::string& client_key_file);

// ServerCredentialsFromFiles(--tls_cert_file, --tls_key_file, --tls_client_ca_file).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFromFlags();

// ChannelCredentialsFromFiles(--tls_ca_file, --tls_client_cert_file, --tls_client_key_file).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFromFlags();

// For the startup log: "plaintext", "TLS" or "TLS, client certificates required", per the
// server flags.
std::string DescribeServerTlsFlags();

// Sends `token` as `authorization: Bearer <token>` on the call `context` belongs to; nothing
// when `token` is empty. Metadata rather than grpc::AccessTokenCredentials, because gRPC refuses
// to send call credentials over a plaintext channel and development runs use plaintext. Call
// before starting the call.
void AttachToken(grpc::ClientContext* context, const std::string& token);

// Reads a file holding one bearer token (surrounding whitespace ignored), for a service or tool
// that calls another service's write methods. The token must satisfy the tokens-file rules; the
// message of an error never quotes it.
absl::StatusOr<std::string> ReadBearerTokenFile(const std::string& path);

}  // namespace omnia::server
