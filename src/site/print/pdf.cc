#include "site/print/pdf.h"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <sstream>

#include "model/urls.h"
#include "render/pages.h"
#include "util/fs.h"
#include "util/sha256.h"

extern char** environ;

namespace bulletin {
namespace fs = std::filesystem;
namespace {

// Reads jobs "HTML<TAB>PDF" from stdin; prints "ok PDF PAGES" or "error PDF MESSAGE".
// GB/T 9704-2012 puts the 版记 on the last line of the last page, an even one:
// lay out once; if the page count is odd, start the colophon on the next even page
// (a blank page before it, and its own page, then go unnumbered);
// then slide it down to the bottom of the 版心.
const char* kDriver = R"PY(
import sys, logging
logging.getLogger('weasyprint').setLevel(logging.ERROR)
logging.getLogger('fontTools').setLevel(logging.ERROR)
import weasyprint
# Links would point at the staging folder: a filed PDF has none.
NO_LINKS = weasyprint.CSS(string='a[href] { -weasy-link: none !important; }')
AFTER_BREAK = weasyprint.CSS(string='.gw-colophon, .jb-colophon { break-before: left !important; margin-top: 0 !important; }')
# A blank page before the 版记 page: neither is numbered (GB/T 9704-2012, 7.5).
UNNUMBERED = weasyprint.CSS(string='.gw-colophon, .jb-colophon { page: bulletin-colophon; } '
    '@page bulletin-colophon:left { @bottom-left { content: none !important } } '
    '@page bulletin-colophon:right { @bottom-right { content: none !important } }')
def colophon(page):
    for box in page._page_box.descendants():
        el = getattr(box, 'element', None)
        if el is None or getattr(box, 'element_tag', '') != 'footer': continue
        cls = (el.get('class') or '').split()
        if 'gw-colophon' in cls or 'jb-colophon' in cls: return box
    return None
# WeasyPrint ignores break-before/after: avoid between table rows: when a
# table's last page would hold fewer than three of its rows, break before its
# third-last row instead (the header repeats on every page).
def keep_last_rows(doc):
    moved = False
    for page in doc.pages:
        for group in page._page_box.descendants():
            if type(group).__name__ != 'TableRowGroupBox' or getattr(group, 'element_tag', '') != 'tbody': continue
            rows = [r.element for r in group.children]
            every = [e for e in group.element if e.tag.endswith('tr')]
            if len(every) >= 6 and rows and rows[-1] is every[-1] and rows[0] is not every[0] and len(rows) < 3:
                every[-3].set('style', (every[-3].get('style') or '') + ';break-before: page')
                moved = True
    return moved
def render(src, out):
    html = weasyprint.HTML(filename=src)
    doc = html.render(stylesheets=[NO_LINKS])
    if keep_last_rows(doc): doc = html.render(stylesheets=[NO_LINKS])
    box = colophon(doc.pages[-1]) if doc.pages else None
    if box is not None and len(doc.pages) % 2 == 1:
        doc = html.render(stylesheets=[NO_LINKS, AFTER_BREAK])
        if keep_last_rows(doc): doc = html.render(stylesheets=[NO_LINKS, AFTER_BREAK])
        if len(doc.pages) > 1 and doc.pages[-2]._page_box.page_type.blank:
            doc = html.render(stylesheets=[NO_LINKS, AFTER_BREAK, UNNUMBERED])
        box = colophon(doc.pages[-1])
    if box is not None:
        page = doc.pages[-1]._page_box
        dy = page.content_box_y() + page.height - (box.position_y + box.margin_height())
        if dy > 0: box.translate(0, dy)
    doc.write_pdf(out)
    return len(doc.pages)
for line in sys.stdin:
    line = line.rstrip('\n')
    if not line: continue
    src, out = line.split('\t')
    try:
        print('ok', out, render(src, out), flush=True)
    except Exception as e:
        print('error', out, str(e).replace('\n', ' '), flush=True)
)PY";

const char* kFandolDir = "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol";

}  // namespace

int run_program(const std::vector<std::string>& args, const std::vector<std::string>& env, const std::string& in_path,
                const std::string& out_path) {
  std::vector<std::string> a = args;
  std::vector<char*> argv, envp;
  for (auto& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> e = env;
  for (char** p = environ; *p; ++p) e.emplace_back(*p);
  for (auto& s : e) envp.push_back(s.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (!in_path.empty()) posix_spawn_file_actions_addopen(&fa, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// name + digest of every font the PDFs may use from the project, and whether
// the Fandol faces are there.
std::string fonts_digest(const std::string& fonts_dir) {
  std::string all;
  std::error_code ec;
  std::vector<std::string> names;
  if (fs::is_directory(fonts_dir, ec))
    for (const auto& e : fs::recursive_directory_iterator(fonts_dir, ec))
      if (e.is_regular_file()) names.push_back(e.path().string());
  std::sort(names.begin(), names.end());
  for (const auto& n : names) all += n.substr(fonts_dir.size()) + " " + sha256(read_all(n)) + "\n";
  all += std::string("fandol ") + (fs::is_directory(kFandolDir, ec) ? "yes" : "no") + "\n";
  return sha256(all);
}

}  // namespace

namespace {

constexpr const char* kProbeMagic = "bulletin pdf probe 1";
// What the probe prints: every folder Python imports from, then weasyprint's
// package folder (only when the module is found). Found, not imported: the
// import costs ~0.5 s (ctypes.util.find_library runs gcc and ldconfig for
// pango and friends), on every build without the cache; a Debian install pulls
// in what it loads, and a broken one shows when the PDFs are made.
constexpr const char* kProbeScript =
    "import os, sys\n"
    "for p in sys.path:\n"
    "    p and print('P ' + os.path.abspath(p))\n"
    "import importlib.util\n"
    "spec = importlib.util.find_spec('weasyprint')\n"
    "print('W ' + os.path.dirname(os.path.abspath(spec.origin)))\n";

std::string stamp_line(char kind, const std::string& path) {
  struct stat st;
  int rc = kind == 'L' ? ::lstat(path.c_str(), &st) : ::stat(path.c_str(), &st);
  std::string out(1, kind);
  if (rc != 0) return out + " missing " + path;
  long long mtime = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return out + " " + std::to_string(st.st_size) + ":" + std::to_string(mtime) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_mode) + " " + path;
}

long long stamp_mtime(const std::string& line) {
  size_t a = line.find(' ');
  size_t colon = line.find(':', a);
  if (a == std::string::npos || colon == std::string::npos) return 0;
  return std::atoll(line.c_str() + colon + 1);
}

std::string probe_environment() {
  std::string out;
  for (const char* name : {"PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "VIRTUAL_ENV", "HOME"}) {
    const char* v = std::getenv(name);
    out += std::string(name) + "=" + (v ? v : "(unset)") + "\n";
  }
  return sha256(out);
}

// The stamps that stand for what running `python` depends on before it runs.
std::vector<std::string> interpreter_stamps(const std::string& python) {
  std::vector<std::string> out;
  if (python.find('/') != std::string::npos) {
    out.push_back(stamp_line('L', python));
    out.push_back(stamp_line('S', python));
    return out;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (size_t start = 0; start <= dirs.size();) {
    size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty()) {
      out.push_back(stamp_line('L', dir));
      out.push_back(stamp_line('L', dir + "/" + python));
      out.push_back(stamp_line('S', dir + "/" + python));
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return out;
}

// The cached answer ("-" for none) when every stamp in `text` still holds.
std::optional<std::string> cached_probe(const std::string& text, const std::vector<std::string>& pythons) {
  std::istringstream in(text);
  std::string line, result;
  if (!std::getline(in, line) || line != kProbeMagic) return std::nullopt;
  std::string candidates;
  for (const auto& p : pythons) candidates += p + "\n";
  if (!std::getline(in, line) || line != sha256(probe_environment() + candidates)) return std::nullopt;
  if (!std::getline(in, result)) return std::nullopt;
  bool ended = false;
  while (std::getline(in, line)) {
    if (line == "end") {
      ended = true;
      break;
    }
    if (line.size() < 3 || (line[0] != 'L' && line[0] != 'S')) return std::nullopt;
    size_t space = line.find(' ', 2);
    if (space == std::string::npos || stamp_line(line[0], line.substr(space + 1)) != line) return std::nullopt;
  }
  if (!ended) return std::nullopt;
  return result;
}

}  // namespace

std::optional<std::string> probe_pdf_engine(const std::vector<std::string>& pythons, const std::string& cache_file,
                                            int* runs) {
  if (!cache_file.empty()) {
    if (auto hit = cached_probe(read_all(cache_file), pythons))
      return *hit == "-" ? std::nullopt : std::optional<std::string>(*hit);
  }
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  long long started = static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec;
  fs::path log = fs::temp_directory_path() / ("bulletin-pdf-probe-" + std::to_string(getpid()) + ".log");
  std::error_code ec;
  std::vector<std::string> stamps;
  std::optional<std::string> found;
  for (const auto& python : pythons) {
    for (auto& s : interpreter_stamps(python)) stamps.push_back(std::move(s));
    int rc = run_program({python, "-c", kProbeScript}, {}, "", log.string());
    if (runs) ++*runs;
    std::istringstream out(read_all(log.string()));
    fs::remove(log, ec);
    std::string weasyprint;
    for (std::string line; std::getline(out, line);) {
      if (line.starts_with("P /")) stamps.push_back(stamp_line('L', line.substr(2)));
      if (line.starts_with("W /")) weasyprint = line.substr(2);
    }
    if (rc == 0 && !weasyprint.empty()) {
      stamps.push_back(stamp_line('L', weasyprint));
      found = python;
      break;
    }
  }
  if (cache_file.empty()) return found;
  if (const char* home = std::getenv("HOME"); home && *home)
    stamps.push_back(stamp_line('L', std::string(home) + "/.local/lib"));
  // Something that changed in the same moment as the probe may change again unseen: not cached.
  for (const auto& s : stamps)
    if (stamp_mtime(s) + 100'000'000LL >= started) return found;
  std::string candidates;
  for (const auto& p : pythons) candidates += p + "\n";
  std::string text =
      std::string(kProbeMagic) + "\n" + sha256(probe_environment() + candidates) + "\n" + (found ? *found : "-") + "\n";
  for (const auto& s : stamps) text += s + "\n";
  text += "end\n";
  fs::create_directories(fs::path(cache_file).parent_path(), ec);
  std::string tmp = cache_file + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.flush()) {
      fs::remove(tmp, ec);
      return found;
    }
  }
  fs::rename(tmp, cache_file, ec);
  if (ec) fs::remove(tmp, ec);
  return found;
}

namespace {

std::optional<std::string> probe_now(const std::string& cache_dir) {
  const char* off = std::getenv("BULLETIN_PDF");
  if (off && std::string(off) == "0") return std::nullopt;
  // Debian's weasyprint belongs to Debian's Python, which a PATH may hide
  // (pyenv, a virtualenv): try it first.
  return probe_pdf_engine({"/usr/bin/python3", "python3"}, cache_dir.empty() ? "" : cache_dir + "/probe");
}

// The probe start_pdf_probe started, until find_pdf_engine takes it (a
// static: a future of std::async waits for its thread when destroyed).
struct PendingProbe {
  std::mutex mutex;
  std::string cache_dir;
  std::future<std::optional<std::string>> answer;
};

PendingProbe& pending_probe() {
  static PendingProbe pending;
  return pending;
}

}  // namespace

void start_pdf_probe(const std::string& cache_dir) {
  PendingProbe& p = pending_probe();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (p.answer.valid()) return;  // one at a time: the later call probes itself
  p.cache_dir = cache_dir;
  p.answer = std::async(std::launch::async, probe_now, cache_dir);
}

std::optional<std::string> find_pdf_engine(const std::string& cache_dir) {
  std::future<std::optional<std::string>> answer;
  {
    PendingProbe& p = pending_probe();
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.answer.valid() && p.cache_dir == cache_dir) answer = std::move(p.answer);
  }
  return answer.valid() ? answer.get() : probe_now(cache_dir);
}

bool wants_pdf(const std::string& html) {
  return html.find("<body class=\"is-notice\"") != std::string::npos ||
         html.find("<body class=\"is-issue\"") != std::string::npos;
}

std::string pdf_digest(const std::string& html, const std::string& css, const std::string& fonts) {
  return sha256(std::string("bulletin-pdf 1\n") + kDriver + "\n" + fonts + "\n" + sha256(css) + "\n" + html);
}

PdfReport make_pdfs(const std::string& engine, const std::string& project_root, const std::vector<PdfPage>& pages,
                    OutputWriter& out, const std::map<std::string, std::string>& frozen) {
  PdfReport report;
  fs::path cache = fs::path(project_root) / cache_path("pdf");
  fs::path assets = fs::path(project_root) / "templates/assets";
  std::error_code ec;
  fs::create_directories(cache, ec);
  std::string fonts_dir = (fs::path(project_root) / "fonts").string();
  std::string fonts = fonts_digest(fonts_dir);
  std::string css = read_all((assets / "style.css").string());

  struct Job {
    std::string url, html_path, cached;
  };
  std::vector<Job> all, todo;
  fs::path render_dir = cache / "render";
  for (const auto& page : pages) {
    const std::string& url = page.url;
    if (!url.empty() && url.back() != '/') continue;
    if (frozen.count(url) || !wants_pdf(page.html)) continue;
    std::string key = pdf_digest(page.html, css, fonts).substr(7);
    Job job{url, (render_dir / (url + "index.html")).string(), (cache / (key + ".pdf")).string()};
    if (fs::exists(job.cached, ec)) {
      ++report.cached;
    } else {
      fs::create_directories(fs::path(job.html_path).parent_path(), ec);
      std::ofstream(job.html_path, std::ios::binary) << page.html;
      todo.push_back(job);
    }
    all.push_back(job);
  }
  if (!todo.empty()) {
    fs::remove_all(render_dir / "assets", ec);
    fs::copy(assets, render_dir / "assets", fs::copy_options::recursive, ec);
  }
  if (!todo.empty()) {
    fs::path conf = cache / "fonts.conf", jobs = cache / "jobs.tsv", log = cache / "engine.log";
    std::ofstream(conf) << "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n"
                        << "  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n"
                        << "  <dir>" << fs::absolute(fonts_dir, ec).string() << "</dir>\n"
                        << "  <dir>" << kFandolDir << "</dir>\n"
                        << "  <cachedir>" << fs::absolute(cache / "fontconfig", ec).string() << "</cachedir>\n"
                        << "</fontconfig>\n";
    {
      std::ofstream j(jobs);
      for (const auto& t : todo) j << fs::absolute(t.html_path, ec).string() << '\t' << t.cached << ".tmp\n";
    }
    std::ofstream(cache / "driver.py") << kDriver;
    run_program({engine, (cache / "driver.py").string()},
                {"SOURCE_DATE_EPOCH=0", "FONTCONFIG_FILE=" + fs::absolute(conf, ec).string()}, jobs.string(),
                log.string());
    std::map<std::string, std::string> results;
    std::ifstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("ok ", 0) == 0) {
        std::string path = line.substr(3, line.rfind(' ') - 3);
        results[path] = "";
      } else if (line.rfind("error ", 0) == 0) {
        size_t sp = line.find(' ', 6);
        results[line.substr(6, sp - 6)] = line.substr(sp + 1);
      }
    }
    for (const auto& t : todo) {
      auto it = results.find(t.cached + ".tmp");
      if (it != results.end() && it->second.empty() && fs::exists(t.cached + ".tmp", ec)) {
        fs::rename(t.cached + ".tmp", t.cached, ec);
        ++report.made;
      } else {
        report.errors.push_back(
            t.url + ": " +
            (it == results.end() ? "the PDF engine did not answer (see " + log.string() + ")" : it->second));
      }
    }
  }
  for (const auto& j : all)
    if (fs::exists(j.cached, ec)) {
      out.copy(j.url + kPdfName, j.cached);
      report.files[j.url] = j.cached;
    }
  report.message =
      "PDFs: " + std::to_string(report.made) + " made, " + std::to_string(report.cached) + " unchanged (WeasyPrint)";
  if (!report.errors.empty())
    report.message += "; " + std::to_string(report.errors.size()) + " failed: " + report.errors[0];
  return report;
}

namespace {

// Checks one frozen PDF against the digest its snapshot recorded.
void check_frozen(const Project& project, const std::string& rel, const std::string& digest,
                  const std::string& snapshot) {
  std::error_code ec;
  std::string path = join_path(project.root, rel);
  if (!fs::exists(path, ec))
    throw Error({rel, 0, 0}, "the PDF frozen when this document was published is missing: " + snapshot +
                                 " records it (restore it from git)");
  if (std::string got = sha256(read_all(path)); got != digest)
    throw Error({rel, 0, 0}, "this published PDF was changed: its digest is " + got + ", not the " + digest + " that " +
                                 snapshot + " recorded (restore it from git)");
}

}  // namespace

std::map<std::string, std::string> copy_frozen_pdfs(const Project& project, OutputWriter& out,
                                                    const std::string& permanent_url, const Snapshot& version,
                                                    const std::string& url) {
  std::map<std::string, std::string> copied;
  std::string snapshot = snapshot_path(permanent_url, version.version);
  auto freeze = [&](const std::string& page, const std::string& rel, const std::string& digest) {
    check_frozen(project, rel, digest, snapshot);
    std::string path = join_path(project.root, rel);
    out.copy(url + page + kPdfName, path);
    copied[url + page] = path;
  };
  if (!version.pdf_digest.empty()) freeze("", frozen_pdf_path(permanent_url, version.version), version.pdf_digest);
  for (const auto& [page, digest] : version.attachment_pdfs)
    freeze(page, frozen_pdf_path(permanent_url, version.version, page), digest);
  return copied;
}

std::string freeze_pdf(const std::string& engine, const Project& project, Snapshot& snapshot) {
  if (snapshot.kind != DocumentKind::Notice && snapshot.kind != DocumentKind::Issue) return "";
  std::string tmpl = kind_name(snapshot.kind);
  std::error_code ec;
  PageData page = snapshot.page;
  page["url"] = snapshot.url;
  page["root"] = root_for(snapshot.url);
  TemplateData site = site_data(project.config);
  // The document and its attachment pages, as the build renders them at the permanent URL.
  std::vector<PdfPage> pages{{snapshot.url, project.templates.render(tmpl, to_template(page), site)}};
  std::map<std::string, std::string> attachment_of;  // page URL -> "attachment-1/"
  if (page.contains("attachments") && page["attachments"].is_array()) {
    int index = 0;
    for (auto& a : page["attachments"]) {
      ++index;
      if (!a.value("is_page", false)) continue;
      std::string folder = "attachment-" + std::to_string(index) + "/";
      a["url"] = snapshot.url + folder;
      PageData ap = attachment_page_data(page, a);
      pages.push_back({snapshot.url + folder, project.templates.render("attachment", to_template(ap), site)});
      attachment_of[snapshot.url + folder] = folder;
    }
  }
  MemoryWriter out;
  PdfReport r = make_pdfs(engine, project.root, pages, out);
  std::string said;
  for (const auto& p : pages) {
    auto it = r.files.find(p.url);
    if (it == r.files.end()) {
      std::string why = "";
      for (const auto& e : r.errors)
        if (e.rfind(p.url + ": ", 0) == 0) why = ": " + e.substr(p.url.size() + 2);
      said += (said.empty() ? "" : "\n") + std::string("  no PDF frozen for ") + p.url + why;
      continue;
    }
    std::string bytes = read_all(it->second);
    auto folder = attachment_of.find(p.url);
    std::string rel =
        frozen_pdf_path(snapshot.url, snapshot.version, folder == attachment_of.end() ? "" : folder->second);
    fs::create_directories((fs::path(project.root) / rel).parent_path(), ec);
    write_file_atomic(join_path(project.root, rel), bytes);
    if (folder == attachment_of.end()) snapshot.pdf_digest = sha256(bytes);
    else snapshot.attachment_pdfs[folder->second] = sha256(bytes);
    said += (said.empty() ? "" : "\n") + std::string("  wrote ") + rel;
  }
  snapshot.digest = snapshot_digest(snapshot);
  return said;
}

}  // namespace bulletin
