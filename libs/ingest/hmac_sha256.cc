#include "libs/ingest/hmac_sha256.h"

#include <nettle/sha2.h>
#include <string.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

#ifdef OMNIA_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

namespace omnia::ingest {

#ifdef OMNIA_HAVE_IPSEC_MB

// The key's inner and outer SHA-256 states (RFC 2104's K xor ipad and K xor opad, each hashed as
// one block), which every job starts from, and a pool of ipsec-mb managers: a manager holds the
// lanes of messages in flight and serves one thread at a time.
class HmacSha256::MultiBuffer {
 public:
  // Null when no manager can be set up (then DigestAll falls back to Nettle).
  static std::shared_ptr<const MultiBuffer> Create(std::string_view key);
  ~MultiBuffer();

  // False if the library refused a job (it should not); `out` is then to be computed again.
  bool DigestAll(absl::Span<const std::string_view> messages, absl::Span<Digest> out) const;

 private:
  struct Manager {
    void* memory = nullptr;
    IMB_MGR* mgr = nullptr;
  };
  static Manager* NewManager();
  // Clears every byte of the manager and sets it up again; false if it cannot be.
  static bool ScrubManager(Manager* manager);
  static void DeleteManager(Manager* manager);
  Manager* Acquire() const;
  void Release(Manager* manager) const;

  alignas(16) uint8_t inner_[32] = {};
  alignas(16) uint8_t outer_[32] = {};
  mutable absl::Mutex mutex_;
  mutable std::vector<Manager*> idle_ ABSL_GUARDED_BY(mutex_);
};

namespace {

// A manager's memory, rounded up to whole 64-byte lines as aligned_alloc requires (the library
// says its size is a multiple of 64; version 1.3's is not).
size_t ManagerBytes() { return (imb_get_mb_mgr_size() + 63) & ~size_t{63}; }

}  // namespace

HmacSha256::MultiBuffer::Manager* HmacSha256::MultiBuffer::NewManager() {
  auto* manager = new Manager;
  manager->memory = std::aligned_alloc(64, ManagerBytes());
  if (manager->memory == nullptr) {
    delete manager;
    return nullptr;
  }
  if (!ScrubManager(manager)) {
    DeleteManager(manager);
    return nullptr;
  }
  return manager;
}

bool HmacSha256::MultiBuffer::ScrubManager(Manager* manager) {
  explicit_bzero(manager->memory, ManagerBytes());
  manager->mgr = imb_set_pointers_mb_mgr(manager->memory, 0, 1);
  if (manager->mgr == nullptr) return false;
  IMB_ARCH arch;
  init_mb_mgr_auto(manager->mgr, &arch);
  return imb_get_errno(manager->mgr) == 0;
}

// Wiped before it is freed: its lanes held messages (pseudonymised ids) and key states.
void HmacSha256::MultiBuffer::DeleteManager(Manager* manager) {
  explicit_bzero(manager->memory, ManagerBytes());
  std::free(manager->memory);
  delete manager;
}

std::shared_ptr<const HmacSha256::MultiBuffer> HmacSha256::MultiBuffer::Create(
    std::string_view key) {
  Manager* manager = NewManager();
  if (manager == nullptr) return nullptr;
  auto state = std::make_shared<MultiBuffer>();
  // RFC 2104: a key longer than the block is replaced by its hash; shorter ones are padded.
  uint8_t block[SHA256_BLOCK_SIZE] = {};
  if (key.size() > sizeof(block)) {
    sha256_ctx hash;
    sha256_init(&hash);
    sha256_update(&hash, key.size(), reinterpret_cast<const uint8_t*>(key.data()));
    sha256_digest(&hash, SHA256_DIGEST_SIZE, block);
    explicit_bzero(&hash, sizeof(hash));
  } else {
    std::copy(key.begin(), key.end(), block);
  }
  uint8_t padded[SHA256_BLOCK_SIZE];
  for (size_t i = 0; i < sizeof(block); ++i) padded[i] = block[i] ^ 0x36;
  IMB_SHA256_ONE_BLOCK(manager->mgr, padded, state->inner_);
  for (size_t i = 0; i < sizeof(block); ++i) padded[i] = block[i] ^ 0x5c;
  IMB_SHA256_ONE_BLOCK(manager->mgr, padded, state->outer_);
  explicit_bzero(block, sizeof(block));
  explicit_bzero(padded, sizeof(padded));
  DeleteManager(manager);  // wiped: batches take managers of their own
  return state;
}

HmacSha256::MultiBuffer::~MultiBuffer() {
  for (Manager* manager : idle_) DeleteManager(manager);
  explicit_bzero(inner_, sizeof(inner_));
  explicit_bzero(outer_, sizeof(outer_));
}

HmacSha256::MultiBuffer::Manager* HmacSha256::MultiBuffer::Acquire() const {
  {
    absl::MutexLock lock(&mutex_);
    if (!idle_.empty()) {
      Manager* manager = idle_.back();
      idle_.pop_back();
      return manager;
    }
  }
  return NewManager();
}

void HmacSha256::MultiBuffer::Release(Manager* manager) const {
  absl::MutexLock lock(&mutex_);
  idle_.push_back(manager);
}

bool HmacSha256::MultiBuffer::DigestAll(absl::Span<const std::string_view> messages,
                                        absl::Span<Digest> out) const {
  // Jobs are handed over a few hundred at a time: enough to keep every lane busy. The library
  // refuses empty messages; the caller computes those.
  constexpr size_t kBurst = 256;
  Manager* manager = Acquire();
  if (manager == nullptr) return false;
  std::vector<IMB_JOB> jobs(std::min(messages.size(), kBurst));
  bool ok = true;
  size_t next = 0;
  while (ok && next < messages.size()) {
    size_t count = 0;
    for (; next < messages.size() && count < kBurst; ++next) {
      if (messages[next].empty()) continue;
      IMB_JOB& job = jobs[count++];
      job = IMB_JOB{};
      job.hash_alg = IMB_AUTH_HMAC_SHA_256;
      job.cipher_mode = IMB_CIPHER_NULL;
      job.chain_order = IMB_ORDER_HASH_CIPHER;
      job.src = reinterpret_cast<const uint8_t*>(messages[next].data());
      job.hash_start_src_offset_in_bytes = 0;
      job.msg_len_to_hash_in_bytes = messages[next].size();
      job.auth_tag_output = reinterpret_cast<uint8_t*>(out[next].data());
      job.auth_tag_output_len_in_bytes = sizeof(Digest);
      job.u.HMAC._hashed_auth_key_xor_ipad = inner_;
      job.u.HMAC._hashed_auth_key_xor_opad = outer_;
    }
    if (count == 0) break;
    const uint32_t done = IMB_SUBMIT_HASH_BURST(
        manager->mgr, jobs.data(), static_cast<uint32_t>(count), IMB_AUTH_HMAC_SHA_256);
    ok = done == count;
  }
  // The lanes keep the last block of each message they padded (upper-cased ids): cleared before
  // the manager serves again, as Nettle's context is after each batch. A manager that refused a
  // job is not trusted again.
  if (ok && ScrubManager(manager)) {
    Release(manager);
  } else {
    DeleteManager(manager);
  }
  return ok;
}

#else

// Built without ipsec-mb: DigestAll computes one message after another.
class HmacSha256::MultiBuffer {
 public:
  static std::shared_ptr<const MultiBuffer> Create(std::string_view) { return nullptr; }
  bool DigestAll(absl::Span<const std::string_view>, absl::Span<Digest>) const { return false; }
};

#endif  // OMNIA_HAVE_IPSEC_MB

bool HmacSha256::MultiBufferBuilt() {
#ifdef OMNIA_HAVE_IPSEC_MB
  return true;
#else
  return false;
#endif
}

absl::StatusOr<HmacSha256> HmacSha256::Create(std::string_view key, bool multi_buffer) {
  HmacSha256 hmac;
  hmac_sha256_set_key(&hmac.keyed_, key.size(), reinterpret_cast<const uint8_t*>(key.data()));
  if (multi_buffer) hmac.multi_buffer_ = MultiBuffer::Create(key);
  return hmac;
}

HmacSha256::~HmacSha256() { explicit_bzero(&keyed_, sizeof(keyed_)); }

HmacSha256::Message::~Message() { explicit_bzero(&context_, sizeof(context_)); }

void HmacSha256::Message::Update(std::string_view bytes) {
  hmac_sha256_update(&context_, bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data()));
}

HmacSha256::Digest HmacSha256::Message::Finish() {
  Digest out;
  // Nettle's digest also restarts the context from its keyed inner state.
  hmac_sha256_digest(&context_, out.size(), reinterpret_cast<uint8_t*>(out.data()));
  return out;
}

HmacSha256::Digest HmacSha256::Of(std::string_view message) const {
  Message m = Start();
  m.Update(message);
  return m.Finish();
}

size_t HmacSha256::DigestAll(absl::Span<const std::string_view> messages,
                             absl::Span<Digest> out) const {
  const size_t n = std::min(messages.size(), out.size());
  if (n == 0) return 0;  // a batch without payments takes no manager
  messages = messages.subspan(0, n);
  out = out.subspan(0, n);
  if (multi_buffer_ != nullptr && multi_buffer_->DigestAll(messages, out)) {
    size_t side_by_side = n;
    for (size_t i = 0; i < n; ++i) {
      if (!messages[i].empty()) continue;
      out[i] = Of("");
      --side_by_side;
    }
    return side_by_side;
  }
  Message m = Start();
  for (size_t i = 0; i < n; ++i) {
    m.Update(messages[i]);
    out[i] = m.Finish();
  }
  return 0;
}

}  // namespace omnia::ingest
