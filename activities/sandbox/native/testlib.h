// SynthSmith's own testlib-compatible header (not a copy of testlib): enough of testlib's checker API that the
// checkers LLMs and problem setters write (`#include "testlib.h"`) compile and judge as they would with the real
// one. The judge compiles C++ with this directory on the include path (compile-cache.ts).
//
// Protocol: `checker <input> <output> <answer>`; exit 0 ok, 1 wrong answer, 2 presentation error, 3 fail; a
// one-line comment on stderr ("ok ...", "wrong answer ...", "wrong output format ...", "FAIL ...").
// Semantics kept from testlib because checkers rely on them:
// - a read error on `ouf` is the contestant's fault: malformed or missing token ⇒ _pe, a value out of the
//   requested range ⇒ _wa; on `inf` or `ans` any read error is the jury's fault ⇒ _fail;
// - integers must be canonical (no '+', no leading zeros, no "-0") and fit the type;
// - quitting with _ok while `ouf` still holds non-blank text is "Extra information in the output file". testlib
//   exits 4 (_dirt) there; we exit 2 (PE) because the judge knows only 0-3. Define
//   SYNTHSMITH_TESTLIB_NO_DIRT_CHECK before the include to skip that check.
// Streams are read whole into memory and are not strict: blanks between tokens are free, eoln accepts "\r\n",
// readEof/seekEof ignore trailing blanks. Validator (strict) and generator modes are not provided.
#ifndef SYNTHSMITH_TESTLIB_H
#define SYNTHSMITH_TESTLIB_H

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#define NORETURN [[noreturn]]
#if defined(__GNUC__)
#define TESTLIB_PRINTF(fmtIndex, argIndex) __attribute__((format(printf, fmtIndex, argIndex)))
#else
#define TESTLIB_PRINTF(fmtIndex, argIndex)
#endif

enum TResult { _ok = 0, _wa = 1, _pe = 2, _fail = 3, _dirt = 4, _points = 5, _unexpected_eof = 8, _partially = 16 };
enum TMode { _input, _output, _answer };

const char *const latinLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const char *const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const char *const letters = "abcdefghijklmnopqrstuvwxyz";
const char *const DIGITS = "0123456789";

inline std::string __testlib_vformat(const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n < 0) return fmt;
  std::string s(static_cast<size_t>(n) + 1, '\0');
  std::vsnprintf(&s[0], s.size(), fmt, ap);
  s.resize(static_cast<size_t>(n));
  return s;
}

inline std::string format(const char *fmt, ...) TESTLIB_PRINTF(1, 2);
inline std::string format(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = __testlib_vformat(fmt, ap);
  va_end(ap);
  return s;
}

template <typename T>
std::string vtos(const T &t) {
  std::ostringstream ss;
  ss << t;
  return ss.str();
}
template <typename T>
std::string toString(const T &t) {
  return vtos(t);
}

/** Long strings shortened for messages, as testlib does. */
inline std::string compress(const std::string &s) {
  return s.size() <= 64 ? s : s.substr(0, 30) + "..." + s.substr(s.size() - 31);
}
inline std::string englishEnding(int x) {
  x %= 100;
  if (x / 10 == 1) return "th";
  if (x % 10 == 1) return "st";
  if (x % 10 == 2) return "nd";
  if (x % 10 == 3) return "rd";
  return "th";
}
inline std::string upperCase(std::string s) {
  for (char &c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
inline std::string lowerCase(std::string s) {
  for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
inline std::string trim(const std::string &s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) b++;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) e--;
  return s.substr(b, e - b);
}

inline bool __testlib_isBlank(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/** Equal as whitespace-separated word sequences. */
inline bool compareWords(const std::string &a, const std::string &b) {
  std::istringstream sa(a), sb(b);
  std::string x, y;
  while (true) {
    bool ha = static_cast<bool>(sa >> x), hb = static_cast<bool>(sb >> y);
    if (ha != hb) return false;
    if (!ha) return true;
    if (x != y) return false;
  }
}

/** Within an absolute or relative error of `maxError`; NaN and infinities must match exactly. */
inline bool doubleCompare(double expected, double result, double maxError) {
  if (std::isnan(expected)) return std::isnan(result);
  if (std::isinf(expected)) return std::isinf(result) && (expected > 0) == (result > 0);
  if (std::isnan(result) || std::isinf(result)) return false;
  const double slack = 1e-15; // absorbs the rounding of the tolerance itself (1e-6 is not exact in binary)
  double diff = std::fabs(result - expected);
  return diff <= maxError + slack || diff <= maxError * std::fabs(expected) + slack;
}
inline double doubleDelta(double expected, double result) {
  double abs = std::fabs(result - expected);
  if (std::fabs(expected) > 1e-9) return std::min(abs, abs / std::fabs(expected));
  return abs;
}

NORETURN inline void quit(TResult result, const std::string &msg);

class InStream {
 public:
  std::string name;
  TMode mode = _input;

  InStream() = default;
  void init(const std::string &fileName, TMode m) {
    name = fileName;
    mode = m;
    std::ifstream f(fileName, std::ios::binary);
    if (!f) ::quit(_fail, "cannot open " + fileName);
    std::ostringstream ss;
    ss << f.rdbuf();
    data_ = ss.str();
    pos_ = 0;
    opened_ = true;
  }
  bool opened() const { return opened_; }

  // ---- errors: the stream's mode decides whose fault it is ----
  NORETURN void quit(TResult result, const std::string &msg) {
    if (mode != _output && result != _fail) ::quit(_fail, msg + " (in " + streamName() + ")");
    ::quit(result, msg);
  }
  NORETURN void quit(TResult result, const char *msg) { quit(result, std::string(msg)); }
  NORETURN TESTLIB_PRINTF(3, 4) void quitf(TResult result, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string s = __testlib_vformat(fmt, ap);
    va_end(ap);
    quit(result, s);
  }
  TESTLIB_PRINTF(3, 4) void ensuref(bool cond, const char *fmt, ...) {
    if (cond) return;
    va_list ap;
    va_start(ap, fmt);
    std::string s = __testlib_vformat(fmt, ap);
    va_end(ap);
    quit(_wa, s);
  }

  // ---- characters and positions ----
  bool eof() const { return pos_ >= data_.size(); }
  bool seekEof() {
    skipBlanks();
    return eof();
  }
  /** Consumes an end of line ("\n", "\r\n" or the end of the file) if one is next, as testlib does. */
  bool eoln() {
    if (eof()) return true;
    if (data_[pos_] == '\n') {
      pos_++;
      return true;
    }
    if (data_[pos_] == '\r' && pos_ + 1 < data_.size() && data_[pos_ + 1] == '\n') {
      pos_ += 2;
      return true;
    }
    if (data_[pos_] == '\r' && pos_ + 1 == data_.size()) {
      pos_++;
      return true;
    }
    return false;
  }
  bool seekEoln() {
    while (!eof() && (data_[pos_] == ' ' || data_[pos_] == '\t')) pos_++;
    return eoln();
  }
  void skipBlanks() {
    while (!eof() && __testlib_isBlank(static_cast<unsigned char>(data_[pos_]))) pos_++;
  }
  char curChar() const { return eof() ? static_cast<char>(EOF) : data_[pos_]; }
  char nextChar() { return eof() ? static_cast<char>(EOF) : data_[pos_++]; }
  void skipChar() {
    if (!eof()) pos_++;
  }
  void unreadChar(char) {
    if (pos_ > 0) pos_--;
  }
  void reset() { pos_ = 0; }

  char readChar() {
    if (eof()) quit(_pe, "Unexpected end of file - char expected");
    return data_[pos_++];
  }
  char readChar(char expected) {
    if (eof()) quit(_pe, "Unexpected end of file - " + charName(expected) + " expected");
    char c = data_[pos_];
    if (c != expected) quit(_pe, "Unexpected character " + charName(c) + ", but " + charName(expected) + " expected");
    pos_++;
    return c;
  }
  char readSpace() { return readChar(' '); }
  void readEoln() {
    if (!eoln()) quit(_pe, "Expected EOLN");
  }
  void readEof() {
    if (!seekEof()) quit(_pe, "Expected EOF");
  }

  // ---- tokens and lines ----
  std::string readToken() { return readWord(); }
  std::string readWord() {
    skipBlanks();
    if (eof()) quit(_pe, "Unexpected end of file - token expected");
    size_t start = pos_;
    while (!eof() && !__testlib_isBlank(static_cast<unsigned char>(data_[pos_]))) pos_++;
    return data_.substr(start, pos_ - start);
  }
  /** `pattern` is matched as a whole (ECMAScript regex, which covers testlib's "[a-z]{1,10}" patterns). */
  std::string readWord(const std::string &pattern, const std::string &variableName = "") {
    std::string w = readWord();
    checkPattern(w, pattern, variableName, "Token");
    return w;
  }
  std::string readToken(const std::string &pattern, const std::string &variableName = "") { return readWord(pattern, variableName); }
  std::vector<std::string> readTokens(int size, const std::string &pattern, const std::string &variableName = "", int indexBase = 1) {
    std::vector<std::string> v;
    for (int i = 0; i < size; i++) v.push_back(readToken(pattern, indexed(variableName, i + indexBase)));
    return v;
  }

  /** The rest of the current line (without its end of line, which is consumed). */
  std::string readLine() {
    if (eof()) quit(_pe, "Unexpected end of file - line expected");
    size_t start = pos_;
    while (!eof() && data_[pos_] != '\n') pos_++;
    std::string line = data_.substr(start, pos_ - start);
    if (!eof()) pos_++;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  std::string readString() { return readLine(); }
  std::string readLine(const std::string &pattern, const std::string &variableName = "") {
    std::string l = readLine();
    checkPattern(l, pattern, variableName, "Line");
    return l;
  }
  std::string readString(const std::string &pattern, const std::string &variableName = "") { return readLine(pattern, variableName); }
  std::vector<std::string> readLines(int size, int indexBase = 1) {
    (void)indexBase;
    std::vector<std::string> v;
    for (int i = 0; i < size; i++) v.push_back(readLine());
    return v;
  }

  // ---- numbers ----
  long long readLong() { return parseSigned(readNumberToken("long long"), LLONG_MIN, LLONG_MAX, "int64"); }
  long long readLong(long long minv, long long maxv, const std::string &variableName = "") {
    return checkRange(readLong(), minv, maxv, variableName, "Integer");
  }
  std::vector<long long> readLongs(int size, long long minv, long long maxv, const std::string &variableName = "", int indexBase = 1) {
    std::vector<long long> v;
    for (int i = 0; i < size; i++) v.push_back(readLong(minv, maxv, indexed(variableName, i + indexBase)));
    return v;
  }
  unsigned long long readUnsignedLong() {
    std::string t = readNumberToken("unsigned long long");
    if (!t.empty() && t[0] == '-') quit(_pe, "Expected unsigned integer, but \"" + compress(t) + "\" found");
    return parseUnsigned(t, ULLONG_MAX, "unsigned int64");
  }
  unsigned long long readUnsignedLong(unsigned long long minv, unsigned long long maxv, const std::string &variableName = "") {
    return checkRange(readUnsignedLong(), minv, maxv, variableName, "Integer");
  }
  int readInt() { return static_cast<int>(parseSigned(readNumberToken("int"), INT_MIN, INT_MAX, "int32")); }
  int readInt(int minv, int maxv, const std::string &variableName = "") { return checkRange(readInt(), minv, maxv, variableName, "Integer"); }
  int readInteger() { return readInt(); }
  int readInteger(int minv, int maxv, const std::string &variableName = "") { return readInt(minv, maxv, variableName); }
  std::vector<int> readInts(int size, int minv, int maxv, const std::string &variableName = "", int indexBase = 1) {
    std::vector<int> v;
    for (int i = 0; i < size; i++) v.push_back(readInt(minv, maxv, indexed(variableName, i + indexBase)));
    return v;
  }
  std::vector<int> readInts(int size) {
    std::vector<int> v;
    for (int i = 0; i < size; i++) v.push_back(readInt());
    return v;
  }

  double readDouble() {
    std::string t = readNumberToken("double");
    // Decimal notation only: strtod would also take "nan", "inf" and hex floats, which testlib rejects.
    char *end = nullptr;
    double v = std::strtod(t.c_str(), &end);
    if (t.find_first_of(DIGITS) == std::string::npos || t.find_first_not_of("0123456789.-+eE") != std::string::npos ||
        end != t.c_str() + t.size() || !std::isfinite(v))
      quit(_pe, "Expected double, but \"" + compress(t) + "\" found");
    return v;
  }
  double readDouble(double minv, double maxv, const std::string &variableName = "") {
    double v = readDouble();
    if (v < minv || v > maxv) quit(_wa, rangeMessage("Double", vtos(v), vtos(minv), vtos(maxv), variableName));
    return v;
  }
  double readReal() { return readDouble(); }
  double readReal(double minv, double maxv, const std::string &variableName = "") { return readDouble(minv, maxv, variableName); }
  std::vector<double> readDoubles(int size, double minv, double maxv, const std::string &variableName = "", int indexBase = 1) {
    std::vector<double> v;
    for (int i = 0; i < size; i++) v.push_back(readDouble(minv, maxv, indexed(variableName, i + indexBase)));
    return v;
  }
  std::vector<double> readReals(int size, double minv, double maxv, const std::string &variableName = "", int indexBase = 1) {
    return readDoubles(size, minv, maxv, variableName, indexBase);
  }
  /** "-?digits[.digits]" with between minAfterPoint and maxAfterPoint digits after the point. */
  double readStrictDouble(double minv, double maxv, int minAfterPoint, int maxAfterPoint, const std::string &variableName = "") {
    std::string t = readNumberToken("double");
    size_t i = t[0] == '-' ? 1 : 0, intDigits = 0, fracDigits = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) i++, intDigits++;
    bool point = i < t.size() && t[i] == '.';
    if (point) {
      i++;
      while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) i++, fracDigits++;
    }
    int frac = static_cast<int>(fracDigits);
    if (i != t.size() || intDigits == 0 || (point && fracDigits == 0) || frac < minAfterPoint || frac > maxAfterPoint)
      quit(_pe, "Expected strict double with " + vtos(minAfterPoint) + ".." + vtos(maxAfterPoint) + " digits after the point, but \"" + compress(t) + "\" found");
    double v = std::strtod(t.c_str(), nullptr);
    if (v < minv || v > maxv) quit(_wa, rangeMessage("Double", t, vtos(minv), vtos(maxv), variableName));
    return v;
  }
  double readStrictReal(double minv, double maxv, int minAfterPoint, int maxAfterPoint, const std::string &variableName = "") {
    return readStrictDouble(minv, maxv, minAfterPoint, maxAfterPoint, variableName);
  }

 private:
  std::string data_;
  size_t pos_ = 0;
  bool opened_ = false;

  std::string streamName() const {
    return mode == _input ? "input file" : mode == _answer ? "answer file" : "output file";
  }
  static std::string charName(char c) {
    if (c == EOF) return "EOF";
    if (c == ' ') return "SPACE";
    if (c == '\n') return "EOLN";
    if (c == '\r') return "CR";
    if (c == '\t') return "TAB";
    if (std::isprint(static_cast<unsigned char>(c))) return std::string("'") + c + "'";
    return "#" + vtos(static_cast<int>(static_cast<unsigned char>(c)));
  }
  static std::string indexed(const std::string &name, int index) { return name.empty() ? name : name + "[" + vtos(index) + "]"; }
  std::string rangeMessage(const char *kind, const std::string &value, const std::string &minv, const std::string &maxv, const std::string &variableName) {
    if (variableName.empty()) return std::string(kind) + " " + value + " violates the range [" + minv + ", " + maxv + "]";
    return std::string(kind) + " parameter [name=" + variableName + "] equals to " + value + ", violates the range [" + minv + ", " + maxv + "]";
  }
  template <typename T>
  T checkRange(T v, T minv, T maxv, const std::string &variableName, const char *kind) {
    if (v < minv || v > maxv) quit(_wa, rangeMessage(kind, vtos(v), vtos(minv), vtos(maxv), variableName));
    return v;
  }
  void checkPattern(const std::string &s, const std::string &pattern, const std::string &variableName, const char *kind) {
    bool ok;
    try {
      ok = std::regex_match(s, std::regex(pattern));
    } catch (const std::regex_error &) {
      ::quit(_fail, "bad pattern \"" + pattern + "\"");
    }
    if (!ok) {
      std::string what = variableName.empty() ? std::string(kind) : std::string(kind) + " parameter [name=" + variableName + "]";
      quit(_wa, what + " equals to \"" + compress(s) + "\", doesn't correspond to pattern \"" + pattern + "\"");
    }
  }
  std::string readNumberToken(const char *what) {
    skipBlanks();
    if (eof()) quit(_pe, std::string("Unexpected end of file - ") + what + " expected");
    return readWord();
  }
  /** Canonical decimal digits only: no sign, no leading zeros (testlib rejects "007", "+5" and "-0"). */
  unsigned long long parseUnsigned(const std::string &t, unsigned long long maxv, const char *type) {
    bool canonical = !t.empty() && t.size() <= 20 && t.find_first_not_of(DIGITS) == std::string::npos && (t[0] != '0' || t.size() == 1);
    unsigned long long v = 0;
    for (size_t i = 0; canonical && i < t.size(); i++) {
      unsigned d = static_cast<unsigned>(t[i] - '0');
      if (v > (maxv - d) / 10) canonical = false; // overflow
      else v = v * 10 + d;
    }
    if (!canonical) quit(_pe, std::string("Expected ") + type + ", but \"" + compress(t) + "\" found");
    return v;
  }
  long long parseSigned(const std::string &t, long long minv, long long maxv, const char *type) {
    bool negative = !t.empty() && t[0] == '-';
    std::string digits = negative ? t.substr(1) : t;
    unsigned long long limit = negative ? static_cast<unsigned long long>(-(minv + 1)) + 1 : static_cast<unsigned long long>(maxv);
    if (digits.empty() || digits[0] == '-' || (negative && digits == "0")) quit(_pe, std::string("Expected ") + type + ", but \"" + compress(t) + "\" found");
    unsigned long long mag = parseUnsigned(digits, ULLONG_MAX, type);
    if (mag > limit) quit(_pe, std::string("Expected ") + type + ", but \"" + compress(t) + "\" found");
    if (!negative) return static_cast<long long>(mag);
    return mag == static_cast<unsigned long long>(LLONG_MAX) + 1 ? LLONG_MIN : -static_cast<long long>(mag);
  }
};

inline InStream inf, ouf, ans;
inline std::string __testlib_checkerName;

inline void setName(const char *fmt, ...) TESTLIB_PRINTF(1, 2);
inline void setName(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  __testlib_checkerName = __testlib_vformat(fmt, ap);
  va_end(ap);
}

NORETURN inline void quit(TResult result, const std::string &msg) {
#ifndef SYNTHSMITH_TESTLIB_NO_DIRT_CHECK
  // testlib's dirt check: an accepted output must hold nothing after what the checker read.
  if (result == _ok && ouf.opened() && !ouf.seekEof()) quit(_dirt, "Extra information in the output file");
#endif
  const char *prefix;
  int code;
  switch (result) {
    case _ok: prefix = "ok "; code = 0; break;
    case _wa: prefix = "wrong answer "; code = 1; break;
    case _pe: case _dirt: case _unexpected_eof: prefix = "wrong output format "; code = 2; break;
    default: prefix = "FAIL "; code = 3; break;
  }
  std::fflush(stdout);
  std::string line = prefix + msg;
  std::replace(line.begin(), line.end(), '\n', ' ');
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
  std::exit(code);
}
NORETURN inline void quit(TResult result, const char *msg) { quit(result, std::string(msg)); }
NORETURN inline void quitf(TResult result, const char *fmt, ...) TESTLIB_PRINTF(2, 3);
NORETURN inline void quitf(TResult result, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = __testlib_vformat(fmt, ap);
  va_end(ap);
  quit(result, s);
}
inline void quitif(bool cond, TResult result, const char *fmt, ...) TESTLIB_PRINTF(3, 4);
inline void quitif(bool cond, TResult result, const char *fmt, ...) {
  if (!cond) return;
  va_list ap;
  va_start(ap, fmt);
  std::string s = __testlib_vformat(fmt, ap);
  va_end(ap);
  quit(result, s);
}

/** A failed assertion in the checker is the checker's (or the task's) fault: _fail. */
inline void ensuref(bool cond, const char *fmt, ...) TESTLIB_PRINTF(2, 3);
inline void ensuref(bool cond, const char *fmt, ...) {
  if (cond) return;
  va_list ap;
  va_start(ap, fmt);
  std::string s = __testlib_vformat(fmt, ap);
  va_end(ap);
  quit(_fail, s);
}
inline void __testlib_ensure(bool cond, const std::string &msg) {
  if (!cond) quit(_fail, msg);
}
#define ensure(cond) __testlib_ensure((cond), "Condition failed: \"" #cond "\"")

inline void registerTestlibCmd(int argc, char *argv[]) {
  if (argc < 4) quit(_fail, std::string("usage: ") + (argc > 0 ? argv[0] : "checker") + " <input-file> <output-file> <answer-file>");
  inf.init(argv[1], _input);
  ouf.init(argv[2], _output);
  ans.init(argv[3], _answer);
}
inline void registerTestlibCmd(int argc, const char *argv[]) { registerTestlibCmd(argc, const_cast<char **>(argv)); }

#endif
