// End-to-end tests of frozen PDFs (issue 14): the PDFs `publish` froze for a
// notice and its attachment pages are served as they are, and a build or
// `check` fails, naming the file, when one was lost or changed. The PDFs here
// are stand-ins written into a snapshot through the snapshot API (the Catch2
// tests run without WeasyPrint); print_geometry publishes real ones.
#include <catch2/catch.hpp>

#include "e2e.h"
#include "render/snapshot.h"
#include "util/sha256.h"

using namespace e2e;

namespace {

const std::string kNotice = "content/notices/2020-gxfz-58.md";
const std::string kUrl = "notices/桂纺校党字/2020/58/";
const std::string kSnapshot = "data/published/" + kUrl + "v1.yaml";
const std::string kPdf = "data/published/" + kUrl + "v1.pdf";
const std::string kAttachmentPdf = "data/published/" + kUrl + "v1-attachment-1.pdf";

// Publishes the notice, then records two frozen PDFs in its snapshot as
// `publish` does where WeasyPrint is installed.
void publish_with_pdfs(const fs::path& project) {
  copy_sample_project(project);
  fs::remove_all(project / "data/published/notices");
  REQUIRE(run_bulletin({"publish", kNotice, "--date", "2021-01-04"}, project).exit_code == 0);
  bulletin::SourceFile file{kSnapshot, read_file(project / kSnapshot)};
  bulletin::Snapshot s = bulletin::read_snapshot(file);
  REQUIRE(s.pdf_digest.empty());
  write_file(project / kPdf, "%PDF-1.7 notice\n");
  write_file(project / kAttachmentPdf, "%PDF-1.7 attachment 1\n");
  s.pdf_digest = bulletin::sha256("%PDF-1.7 notice\n");
  s.attachment_pdfs["attachment-1/"] = bulletin::sha256("%PDF-1.7 attachment 1\n");
  s.digest = bulletin::snapshot_digest(s);
  write_file(project / kSnapshot, bulletin::write_snapshot(s));
}

}  // namespace

TEST_CASE("a build serves the PDFs frozen for a notice and its attachment page", "[e2e][publish][pdf]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  publish_with_pdfs(project);
  std::string snapshot = read_file(project / kSnapshot);
  CHECK(snapshot.find("attachment_pdfs:\n  \"attachment-1/\": " + bulletin::sha256("%PDF-1.7 attachment 1\n") + "\n") !=
        std::string::npos);
  REQUIRE(run_bulletin({"build", ".", "-o", (tmp / "site").string()}, project).exit_code == 0);
  CHECK(read_file(tmp / "site" / kUrl / "document.pdf") == "%PDF-1.7 notice\n");
  CHECK(read_file(tmp / "site" / kUrl / "attachment-1/document.pdf") == "%PDF-1.7 attachment 1\n");
  CHECK(run_bulletin({"check", "."}, project).exit_code == 0);
}

TEST_CASE("a changed frozen attachment PDF fails the build and check, and the site is left as it was",
          "[e2e][publish][pdf]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  publish_with_pdfs(project);
  fs::path site = tmp / "site";
  REQUIRE(run_bulletin({"build", ".", "-o", site.string()}, project).exit_code == 0);
  auto before = snapshot(site);
  write_file(project / kAttachmentPdf, "%PDF-1.7 attachment 1, edited\n");
  std::string message = kAttachmentPdf + ": error: this published PDF was changed: its digest is " +
                        bulletin::sha256("%PDF-1.7 attachment 1, edited\n") + ", not the " +
                        bulletin::sha256("%PDF-1.7 attachment 1\n") + " that " + kSnapshot +
                        " recorded (restore it from git)\n";
  RunResult build = run_bulletin({"build", ".", "-o", site.string()}, project);
  CHECK(build.exit_code == 1);
  CHECK(without_progress(build.err) == message + "build failed; " + site.string() + " was not changed\n");
  CHECK(snapshot(site) == before);
  RunResult check = run_bulletin({"check", "."}, project);
  CHECK(check.exit_code == 1);
  CHECK(check.err == message + "check failed: 1 error, 0 warnings\n");
}

TEST_CASE("check reports a frozen PDF that is missing", "[e2e][publish][pdf]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  publish_with_pdfs(project);
  fs::remove(project / kPdf);
  RunResult check = run_bulletin({"check", "."}, project);
  CHECK(check.exit_code == 1);
  CHECK(check.err == kPdf + ": error: the PDF frozen when this document was published is missing: " + kSnapshot +
                         " records it (restore it from git)\ncheck failed: 1 error, 0 warnings\n");
}
