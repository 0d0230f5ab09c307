#include "site/print/webfonts.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "model/urls.h"
#include "util/sha256.h"

namespace bulletin {
namespace fs = std::filesystem;
namespace {

// Reads jobs "FONT<TAB>OUT" from stdin (the characters are in argv[1]); writes
// OUT.woff2 and OUT.json (family names, weight, style) and prints "ok OUT" or
// "error OUT MESSAGE". A job "gunzip SRC<TAB>OUT" copies a gzipped licence.
const char* kDriver = R"PY(
import sys, os, gzip, json, logging
logging.getLogger('fontTools').setLevel(logging.ERROR)
os.environ['SOURCE_DATE_EPOCH'] = '0'
from fontTools import subset
from fontTools.ttLib import TTFont
chars = open(sys.argv[1], encoding='utf-8').read()
def names(font, ids):
    out = []
    for r in font['name'].names:
        if r.nameID in ids:
            try: n = r.toUnicode().strip()
            except Exception: continue
            if n and n not in out: out.append(n)
    return out
def make(src, out):
    font = TTFont(src, recalcTimestamp=False, fontNumber=0)
    meta = {'families': names(font, (16, 1)), 'full': names(font, (4, 6)),
            'weight': font['OS/2'].usWeightClass if 'OS/2' in font else 400,
            'italic': bool(font['OS/2'].fsSelection & 1) if 'OS/2' in font else False}
    options = subset.Options()
    options.flavor = 'woff2'
    options.layout_features = ['*']
    options.name_IDs = ['*']
    options.name_languages = ['*']
    options.name_legacy = True
    options.notdef_outline = True
    s = subset.Subsetter(options)
    s.populate(text=chars)
    s.subset(font)
    font.flavor = 'woff2'
    font.save(out + '.woff2.tmp')
    os.replace(out + '.woff2.tmp', out + '.woff2')
    with open(out + '.json', 'w', encoding='utf-8') as f: json.dump(meta, f, ensure_ascii=False, sort_keys=True)
for line in sys.stdin:
    line = line.rstrip('\n')
    if not line: continue
    src, out = line.split('\t')
    try:
        if src.startswith('gunzip '):
            with gzip.open(src[7:], 'rb') as f: data = f.read()
            with open(out, 'wb') as f: f.write(data)
        else:
            make(src, out)
        print('ok', out, flush=True)
    except Exception as e:
        print('error', out, str(e).replace('\n', ' '), flush=True)
)PY";

const char* kFandolDir = "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol";
const char* kFandolLicence = "/usr/share/texlive/texmf-dist/doc/fonts/fandol/COPYING.gz";
// The faces a 公文 uses: 仿宋 (body), FandolSong Bold (the 小标宋 stand-in),
// 黑体 (一、), 楷体 (（一）, 签发人 names). Song Regular and Hei Bold are left out.
const char* kFandolFaces[] = {"FandolFang-Regular", "FandolSong-Bold", "FandolHei-Regular", "FandolKai-Regular"};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool is_font(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".otf" || ext == ".ttf";
}

std::string css_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n' || c == '\r') continue;
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::vector<WebFont> web_fonts_wanted(const SiteConfig& config, const std::string& project_root) {
  std::vector<WebFont> fonts;
  std::error_code ec;
  std::set<std::string> taken;
  if (config.web_fonts_project) {
    fs::path dir = fs::path(project_root) / "fonts";
    std::vector<fs::path> found;
    if (fs::is_directory(dir, ec))
      for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file() && is_font(e.path())) found.push_back(e.path());
    std::sort(found.begin(), found.end());
    for (const auto& p : found)
      if (taken.insert(p.stem().string()).second) fonts.push_back({p.string(), p.stem().string()});
  }
  if (config.web_fonts_fandol && fs::is_directory(kFandolDir, ec))
    for (const char* face : kFandolFaces) {
      fs::path p = fs::path(kFandolDir) / (std::string(face) + ".otf");
      if (fs::exists(p, ec) && taken.insert(face).second) fonts.push_back({p.string(), face});
    }
  return fonts;
}

std::optional<std::string> find_font_tools() {
  const char* off = std::getenv("BULLETIN_PDF");  // off with the other Python step
  if (off && std::string(off) == "0") return std::nullopt;
  fs::path log = fs::temp_directory_path() / ("bulletin-fonttools-probe-" + std::to_string(::getpid()) + ".log");
  for (const char* python : {"/usr/bin/python3", "python3"}) {
    int rc = run_program({python, "-c", "import fontTools.subset, brotli"}, {}, "", log.string());
    std::error_code ec;
    fs::remove(log, ec);
    if (rc == 0) return std::string(python);
  }
  return std::nullopt;
}

std::string document_characters(const std::vector<PdfPage>& pages) {
  std::set<std::string> chars;
  for (int c = 0x20; c < 0x7f; ++c) chars.insert(std::string(1, static_cast<char>(c)));
  for (const auto& page : pages) {
    const std::string& h = page.html;
    bool in_tag = false;
    for (size_t i = 0; i < h.size();) {
      unsigned char c = h[i];
      size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
      if (c == '<') in_tag = true;
      else if (c == '>') in_tag = false;
      else if (!in_tag && len > 1 && i + len <= h.size()) chars.insert(h.substr(i, len));
      i += len;
    }
  }
  std::string out;
  for (const auto& c : chars) out += c;
  return out;
}

WebFontReport ship_web_fonts(const std::string& python, const std::string& project_root,
                             const std::vector<WebFont>& fonts, const std::string& characters, OutputWriter& out) {
  WebFontReport report;
  std::error_code ec;
  fs::path cache = fs::absolute(fs::path(project_root) / cache_path("webfonts"), ec);
  fs::create_directories(cache, ec);
  std::string chars_digest = sha256(characters);
  struct Job {
    WebFont font;
    std::string key;  // cache path without extension
  };
  std::vector<Job> jobs, todo;
  bool fandol = false;
  for (const auto& f : fonts) {
    // A face is identified by its path, size and time (reading 30 MB of fonts
    // for a digest on every build would cost more than the rest of the step).
    auto size = fs::file_size(f.path, ec);
    auto time = fs::last_write_time(f.path, ec).time_since_epoch().count();
    std::string key = sha256(std::string("bulletin-webfont 1\n") + kDriver + "\n" + f.path + "\n" +
                             std::to_string(size) + " " + std::to_string(time) + "\n" + chars_digest)
                          .substr(7, 32);
    Job job{f, (cache / key).string()};
    if (fs::exists(job.key + ".woff2", ec) && fs::exists(job.key + ".json", ec)) ++report.cached;
    else todo.push_back(job);
    jobs.push_back(job);
    fandol = fandol || f.path.rfind(kFandolDir, 0) == 0;
  }
  fs::path licence = cache / "Fandol-COPYING.txt";
  bool need_licence = fandol && !fs::exists(licence, ec) && fs::exists(kFandolLicence, ec);
  std::vector<std::string> errors;
  if (!todo.empty() || need_licence) {
    fs::path chars = cache / "characters.txt", list = cache / "jobs.tsv", log = cache / "subset.log";
    std::ofstream(chars, std::ios::binary) << characters;
    {
      std::ofstream j(list);
      for (const auto& t : todo) j << t.font.path << '\t' << t.key << '\n';
      if (need_licence) j << "gunzip " << kFandolLicence << '\t' << licence.string() << '\n';
    }
    std::ofstream(cache / "driver.py") << kDriver;
    run_program({python, (cache / "driver.py").string(), chars.string()}, {}, list.string(), log.string());
    std::ifstream lines(log);
    std::map<std::string, std::string> result;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("ok ", 0) == 0) result[line.substr(3)] = "";
      else if (line.rfind("error ", 0) == 0) {
        std::string rest = line.substr(6);
        size_t sp = rest.find(' ');
        result[rest.substr(0, sp)] = sp == std::string::npos ? "failed" : rest.substr(sp + 1);
      }
    }
    for (const auto& t : todo) {
      auto it = result.find(t.key);
      if (it != result.end() && it->second.empty()) ++report.made;
      else
        errors.push_back(t.font.path + ": " +
                         (it == result.end() ? "no answer (see " + log.string() + ")" : it->second));
    }
  }
  std::string css =
      "/* Fonts shipped with the site (bulletin.yaml web_fonts), subset to the characters of its documents.\n"
      "   An installed face is used first (local()); licences are in fonts/. */\n";
  std::string readme = "Fonts shipped with this site, subset to the characters of its documents:\n\n";
  for (const auto& j : jobs) {
    if (!fs::exists(j.key + ".woff2", ec) || !fs::exists(j.key + ".json", ec)) continue;
    nlohmann::json meta = nlohmann::json::parse(read_all(j.key + ".json"), nullptr, false);
    if (meta.is_discarded()) continue;
    out.copy("assets/fonts/" + j.font.name + ".woff2", j.key + ".woff2");
    std::vector<std::string> families = meta.value("families", std::vector<std::string>{});
    std::vector<std::string> full = meta.value("full", std::vector<std::string>{});
    if (j.font.name == "FandolSong-Bold") families.push_back("bulletin-xiaobiaosong");  // see style.css
    int weight = meta.value("weight", 400);
    std::string src;
    for (const auto& n : full) src += "local(" + css_string(n) + "), ";
    src += "url(\"fonts/" + j.font.name + ".woff2\") format(\"woff2\")";
    for (const auto& family : families) {
      bool xbs = family == "bulletin-xiaobiaosong";
      css += "@font-face { font-family: " + css_string(family) +
             "; font-weight: " + (xbs ? std::string("100 900") : std::to_string(weight)) +
             "; font-style: " + (meta.value("italic", false) ? "italic" : "normal") +
             "; font-display: swap;\n  src: " + src + "; }\n";
    }
    bool is_fandol = j.font.path.rfind(kFandolDir, 0) == 0;
    readme += "  " + j.font.name + ".woff2  from " + j.font.path +
              (is_fandol ? "  (Fandol 0.3, Debian texlive-lang-chinese; GPL v3 with the font exception: "
                           "Fandol-COPYING.txt; the complete faces are the source)\n"
                         : "  (the project's fonts/ folder; its licence allows shipping it with the site)\n");
  }
  if (fandol && fs::exists(licence, ec)) out.copy("assets/fonts/Fandol-COPYING.txt", licence.string());
  // The licence texts an office put beside its fonts go with them.
  fs::path project_fonts = fs::path(project_root) / "fonts";
  if (std::any_of(jobs.begin(), jobs.end(),
                  [&](const Job& j) { return j.font.path.rfind(project_fonts.string(), 0) == 0; })) {
    std::vector<fs::path> others;
    for (const auto& e : fs::directory_iterator(project_fonts, ec))
      if (e.is_regular_file() && !is_font(e.path()) && e.path().filename().string()[0] != '.')
        others.push_back(e.path());
    std::sort(others.begin(), others.end());
    for (const auto& p : others) {
      out.copy("assets/fonts/" + p.filename().string(), p.string());
      readme += "  " + p.filename().string() + "  (licence text from the project's fonts/ folder)\n";
    }
  }
  out.write("assets/fonts/README.txt", readme);
  out.write("assets/fonts.css", css);
  report.message = "web fonts: " + std::to_string(jobs.size()) + " face(s), " + std::to_string(report.made) +
                   " subset, " + std::to_string(report.cached) + " unchanged";
  if (!errors.empty()) report.message += "; " + std::to_string(errors.size()) + " failed: " + errors[0];
  return report;
}

}  // namespace bulletin
