// Finished periods kept outside memory for the site build.
//
// A site build renders every period's pages and every entity's history page;
// holding all periods' rows for that grows with periods x entities. The store
// keeps each finished period in an anonymous temporary file (deleted when
// closed or when the process ends; in memory if no file can be made), in an
// exact binary form, and gives it back whole (load) or one entity across the
// periods it appears in (history), through a compact index: per entity, the
// place of each of its rows in the file (16 bytes a row). Loads are pread(),
// so pages render from it on several threads at once.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "compute/rankings.h"

namespace bulletin {

class PeriodStore {
 public:
  PeriodStore();
  ~PeriodStore();
  PeriodStore(const PeriodStore&) = delete;
  PeriodStore& operator=(const PeriodStore&) = delete;

  // Adds a finished period; returns its slot (0, 1, 2... in adding order).
  size_t add(const PeriodResult& period);
  // The period of `slot`, as it was added.
  PeriodResult load(size_t slot) const;
  // The SHA-256 of the period of `slot` in its exact binary form: what every
  // page and file made from that period is made from (without loading it).
  const std::string& digest(size_t slot) const { return slots_.at(slot).digest; }

  // Puts every entity's points in the order of `position_of_slot` (the
  // calendar order of the slots); call once every period is added.
  void order(const std::vector<size_t>& position_of_slot);
  // Entities by name, then group, as entity_histories() lists them.
  size_t entity_count() const { return entities_.size(); }
  const std::pair<std::string, std::string>& entity(size_t e) const { return entities_[e].first; }
  // Entity `e` across its periods, as entity_histories() gives it.
  EntityHistory history(size_t e) const;

  long bytes() const { return static_cast<long>(end_); }

 private:
  struct Point {
    uint32_t slot = 0;
    int32_t of = 0;   // rows ranked with it
    uint64_t at = 0;  // its row's bytes in the file
    uint32_t size = 0;
  };
  struct SlotInfo {
    uint64_t at = 0, size = 0;
    std::string id;
    std::string digest;  // of the period's bytes
    bool complete = true;
    Date last_in_data;
  };
  uint64_t append(const std::string& bytes);
  std::string read(uint64_t at, uint64_t size) const;
  void build_entities();

  std::FILE* file_ = nullptr;
  std::string memory_;  // when there is no file
  uint64_t end_ = 0;
  std::vector<SlotInfo> slots_;
  std::map<std::pair<std::string, std::string>, std::vector<Point>> points_;
  std::vector<std::pair<std::pair<std::string, std::string>, std::vector<Point>>> entities_;
};

// The binary form of one period (the store's), for tests.
std::string period_bytes(const PeriodResult& period);
PeriodResult period_from_bytes(const std::string& bytes);

}  // namespace bulletin
