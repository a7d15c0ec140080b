#include "services/gateway/gateway.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/client/probes.h"
#include "libs/gateway/problem.h"
#include "libs/gateway/query_params.h"
#include "libs/rpc/status_mapping.h"
#include "libs/server/tls.h"

namespace omnia::gateway {
namespace {

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// The path of the query API, the `instance` of its problems.
constexpr char kQueryPath[] = "/api/v1/query";

// One ExportService.Export call whose header has been read, kept alive until its body is sent.
// Ends the call on destruction when the body was never pulled (HEAD, a failed first write), so
// the exporter's rendering thread is freed.
class ExportCall {
 public:
  ExportCall(std::unique_ptr<grpc::ClientContext> context, v1::ExportService::Stub& exporter,
             const v1::ExportRequest& request)
      : context_(std::move(context)), reader_(exporter.Export(context_.get(), request)) {}
  ExportCall(const ExportCall&) = delete;
  ExportCall& operator=(const ExportCall&) = delete;
  ~ExportCall() {
    if (finished_) return;
    context_->TryCancel();
    reader_->Finish();
  }

  // The first message; nullopt with the call's status when the stream ended before it.
  std::optional<v1::ExportResponse> ReadFirst(absl::Status& error) {
    v1::ExportResponse first;
    if (reader_->Read(&first)) return first;
    error = Finish();
    if (error.ok()) error = absl::InternalError("the exporter sent no header");
    return std::nullopt;
  }

  // Streams the data chunks into `sink`. Not OK when the file could not be sent whole.
  absl::Status Pump(const http::BodySink& sink) {
    v1::ExportResponse message;
    while (reader_->Read(&message)) {
      if (!message.has_data() || message.data().empty()) continue;
      if (!sink(message.data())) {
        context_->TryCancel();
        Finish().IgnoreError();
        return absl::CancelledError("the client went away");
      }
    }
    return Finish();
  }

 private:
  absl::Status Finish() {
    finished_ = true;
    return rpc::FromGrpcStatus(reader_->Finish());
  }

  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::ExportResponse>> reader_;
  bool finished_ = false;
};

}  // namespace

http::Response FileRouteErrorResponse(const grpc::Status& status) {
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  if (code == absl::StatusCode::kNotFound || code == absl::StatusCode::kInvalidArgument) {
    return http::TextResponse(404, "404 not found");
  }
  if (IsRetryableUpstreamFailure(code)) {
    http::Response response = http::TextResponse(503, "503 service unavailable, retry later");
    response.SetHeader("Retry-After", kRetryAfterSeconds);
    return response;
  }
  return http::TextResponse(502, "502 bad gateway");
}

Gateway::Gateway(std::shared_ptr<grpc::Channel> catalogue, std::shared_ptr<grpc::Channel> exporter,
                 std::shared_ptr<grpc::Channel> aggregation, GatewayOptions options)
    : catalogue_channel_(std::move(catalogue)),
      exporter_channel_(std::move(exporter)),
      aggregation_channel_(std::move(aggregation)),
      catalogue_(v1::CatalogueService::NewStub(catalogue_channel_)),
      exporter_(v1::ExportService::NewStub(exporter_channel_)),
      aggregation_(v1::AggregationService::NewStub(aggregation_channel_)),
      options_(std::move(options)),
      queries_(options_.max_concurrent_queries) {}

void Gateway::AddRoutes(http::Router& router) {
  router.Add({"GET"}, "/releases/{release_id}/{dataset_id}/{file_name}",
             [this](const http::Request& request, const http::PathParams& p) {
               return ServeFile(request, p.at("release_id"), p.at("dataset_id"), p.at("file_name"),
                                http::kImmutableCacheControl);
             });
  router.Add({"GET"}, "/dataset/{dataset_id}/{file_name}",
             [this](const http::Request& request, const http::PathParams& p) {
               return ServeFile(request, "", p.at("dataset_id"), p.at("file_name"),
                                http::kLatestCacheControl);
             });
  router.Add({"GET"}, "/releases/{release_id}/SHA256SUMS",
             [this](const http::Request&, const http::PathParams& p) {
               return Checksums(p.at("release_id"));
             });
  router.Add({"GET"}, kQueryPath, [this](const http::Request& request, const http::PathParams&) {
    return Query(request);
  });
  router.Add({"GET"}, "/healthz", [](const http::Request&, const http::PathParams&) {
    return http::TextResponse(200, "ok");
  });
  router.Add({"GET"}, "/readyz",
             [this](const http::Request&, const http::PathParams&) { return Ready(); });
}

std::unique_ptr<grpc::ClientContext> Gateway::CallContext(absl::Duration deadline) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  return context;
}

http::Response Gateway::ServeFile(const http::Request& request, const std::string& release_id,
                                  const std::string& dataset_id, const std::string& file_name,
                                  const char* cache_control) {
  v1::GetDatasetRequest get;
  get.set_dataset_id(dataset_id);
  get.set_release_id(release_id);
  v1::GetDatasetResponse found;
  const grpc::Status status =
      catalogue_->GetDataset(CallContext(options_.call_deadline).get(), get, &found);
  if (!status.ok()) return FileRouteErrorResponse(status);
  const auto& attachments = found.dataset().attachments();
  const auto attachment =
      std::find_if(attachments.begin(), attachments.end(),
                   [&](const v1::Attachment& a) { return a.file_name() == file_name; });
  if (attachment == attachments.end()) return http::TextResponse(404, "404 not found");

  http::FileInfo file;
  file.file_name = attachment->file_name();
  file.media_type = attachment->media_type();
  file.sha256 = attachment->sha256();
  file.size = attachment->size_bytes();
  file.last_modified = ToTime(found.release().create_time());
  file.cache_control = cache_control;
  // The release the metadata came from, so that the bytes are the same file even if a new
  // release becomes the latest meanwhile.
  v1::ReadAttachmentRequest source;
  source.set_release_id(found.dataset().release_id());
  source.set_dataset_id(dataset_id);
  source.set_file_name(file_name);
  return http::MakeFileResponse(
      http::PlanFileResponse(request, file),
      [this, source](uint64_t offset, uint64_t length, const http::BodySink& sink) {
        return ReadRange(source, offset, length, sink);
      });
}

absl::Status Gateway::ReadRange(const v1::ReadAttachmentRequest& file, uint64_t offset,
                                uint64_t length, const http::BodySink& sink) {
  if (length == 0) return absl::OkStatus();
  v1::ReadAttachmentRequest request = file;
  request.set_offset(offset);
  request.set_length(length);
  std::unique_ptr<grpc::ClientContext> context = CallContext(options_.transfer_deadline);
  server::AttachToken(context.get(), options_.token);
  auto reader = catalogue_->ReadAttachment(context.get(), request);
  v1::ReadAttachmentResponse message;
  uint64_t sent = 0;
  bool client_gone = false;
  while (reader->Read(&message)) {
    if (message.data().empty()) continue;
    if (!sink(message.data())) {
      client_gone = true;
      context->TryCancel();
      break;
    }
    sent += message.data().size();
  }
  const grpc::Status status = reader->Finish();
  if (client_gone) return absl::CancelledError("the client went away");
  if (!status.ok()) return rpc::FromGrpcStatus(status);
  if (sent != length) {
    return absl::DataLossError(absl::StrCat("the catalogue sent ", sent, " of ", length, " bytes"));
  }
  return absl::OkStatus();
}

http::Response Gateway::Checksums(const std::string& release_id) {
  std::vector<std::pair<std::string, std::string>> files;  // (file name, sha256)
  v1::ListDatasetsRequest request;
  request.set_release_id(release_id);
  request.set_page_size(100);
  do {
    v1::ListDatasetsResponse page;
    const grpc::Status status =
        catalogue_->ListDatasets(CallContext(options_.call_deadline).get(), request, &page);
    if (!status.ok()) return FileRouteErrorResponse(status);
    for (const v1::Dataset& dataset : page.datasets()) {
      for (const v1::Attachment& attachment : dataset.attachments()) {
        files.emplace_back(attachment.file_name(), attachment.sha256());
      }
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (files.empty()) return http::TextResponse(404, "404 not found");
  std::sort(files.begin(), files.end());
  http::Response response;
  response.SetHeader("Content-Type", "text/plain; charset=utf-8");
  response.SetHeader("Cache-Control", http::kImmutableCacheControl);
  // `sha256sum -c` format: the digest, two spaces (text mode), the file name.
  for (const auto& [name, sha256] : files)
    absl::StrAppend(&response.body, sha256, "  ", name, "\n");
  return response;
}

http::Response Gateway::Query(const http::Request& request) {
  absl::StatusOr<v1::ExportRequest> export_request = ExportRequestFromQuery(request.query);
  if (!export_request.ok()) {
    return ProblemResponse(ProblemForQueryStatus(export_request.status(), kQueryPath));
  }
  std::shared_ptr<ConcurrencyLimit::Slot> slot = queries_.TryAcquire();
  if (slot == nullptr) {
    return ProblemResponse(ProblemForQueryStatus(
        absl::ResourceExhaustedError("too many queries at once"), kQueryPath));
  }
  // The exporter reports a refused query before its header (export.proto), so the status is
  // decided here, before anything is sent.
  auto call = std::make_shared<ExportCall>(CallContext(options_.transfer_deadline), *exporter_,
                                           *export_request);
  absl::Status error;
  const std::optional<v1::ExportResponse> first = call->ReadFirst(error);
  if (!first.has_value()) return ProblemResponse(ProblemForQueryStatus(error, kQueryPath));
  if (!first->has_header()) {
    return ProblemResponse(ProblemForQueryStatus(absl::InternalError(""), kQueryPath));
  }
  http::Response response;
  response.SetHeader("Content-Type", first->header().media_type());
  response.SetHeader("Content-Disposition", http::ContentDisposition(first->header().file_name()));
  // A release's cells never change, but the same URL may later be rendered by a newer exporter:
  // kept briefly, like the latest files; the live cubes change with every batch.
  response.SetHeader("Cache-Control",
                     export_request->release_id().empty() ? "no-cache" : http::kLatestCacheControl);
  // Chunked: the size is known only at the end, and the body is never held whole.
  // The slot is held until the last byte is sent (or the client goes).
  response.stream = [call, slot](const http::BodySink& sink) { return call->Pump(sink); };
  return response;
}

// Ready while the catalogue serves: files, CKAN, DCAT and the portal need only it. Without the
// exporter or aggregation only ad-hoc queries and the dashboard fail (503 each), so the gateway
// stays in rotation and says it is degraded; taking every replica out would refuse everything.
http::Response Gateway::Ready() {
  if (draining_.load()) return http::TextResponse(503, "draining");
  const auto serving = [this](const std::shared_ptr<grpc::Channel>& channel) {
    absl::StatusOr<std::string> health = client::CheckHealth(channel, "", options_.health_deadline);
    return health.ok() && *health == "SERVING";
  };
  if (!serving(catalogue_channel_)) return http::TextResponse(503, "not ready: catalogue");
  std::vector<std::string> degraded;
  if (!serving(exporter_channel_)) degraded.push_back("exporter");
  if (!serving(aggregation_channel_)) degraded.push_back("aggregation");
  if (degraded.empty()) return http::TextResponse(200, "ready");
  return http::TextResponse(200, absl::StrCat("ready, degraded: ", absl::StrJoin(degraded, ", ")));
}

}  // namespace omnia::gateway
