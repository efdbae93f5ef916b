/* profile_dump: report, as JSON lines, what the Win32 profile API resolves in INI files.
 *
 * usage: profile_dump.exe FILE...
 * One line per FILE: {"listing": [["Section", [["key", "value"], ...]], ...], "lookups": [...]}
 * "lookups" answers the queries in FILE.queries if that file exists: UTF-8 lines
 * "section<TAB>key", each answered by one GetPrivateProfileStringW call.
 * Section names come from GetPrivateProfileSectionNamesW, key names from
 * GetPrivateProfileStringW(section, NULL) and each value from
 * GetPrivateProfileStringW(section, key), so duplicates, case, quotes and comments are
 * resolved by the API itself. Built with mingw-w64 and run under Wine by the
 * differential tests (tests/differential/). One process handles many files because
 * starting Wine dominates the cost. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define BUF 262144
static wchar_t sections[BUF], keys[BUF], value[BUF];

/* Write one UTF-16 string as a JSON string literal in UTF-8. */
static void emit(const wchar_t *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned c = *s;
    if (c == '"' || c == '\\') { putchar('\\'); putchar((int)c); }
    else if (c < 0x20 || c == 0x7f) printf("\\u%04x", c);
    else if (c < 0x80) putchar((int)c);
    else if (c >= 0xd800 && c <= 0xdfff) printf("\\u%04x", c);
    else {
      char utf8[8];
      int n = WideCharToMultiByte(CP_UTF8, 0, (const wchar_t *)&c, 1, utf8, sizeof utf8, NULL, NULL);
      fwrite(utf8, 1, (size_t)n, stdout);
    }
  }
  putchar('"');
}

static wchar_t *to_wide(const char *s) {
  int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
  wchar_t *w = malloc((size_t)n * sizeof *w);
  MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
  return w;
}

/* Answer "section<TAB>key" queries from PATH.queries; \x01 marks a missing key. */
static void lookups(const char *path) {
  char qpath[4096], line[8192];
  snprintf(qpath, sizeof qpath, "%s.queries", path);
  FILE *q = fopen(qpath, "rb");
  if (!q) return;
  wchar_t *file = to_wide(path);
  int first = 1;
  while (fgets(line, sizeof line, q)) {
    line[strcspn(line, "\n")] = 0;
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    *tab = 0;
    wchar_t *section = to_wide(line), *key = to_wide(tab + 1);
    GetPrivateProfileStringW(section, key, L"\x01", value, BUF, file);
    if (!first) putchar(',');
    first = 0;
    emit(value);
    free(section);
    free(key);
  }
  fclose(q);
  free(file);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    wchar_t *file = to_wide(argv[i]);
    GetPrivateProfileSectionNamesW(sections, BUF, file);
    fputs("{\"listing\":[", stdout);
    for (wchar_t *s = sections; *s; s += wcslen(s) + 1) {
      if (s != sections) putchar(',');
      putchar('['); emit(s); fputs(",[", stdout);
      GetPrivateProfileStringW(s, NULL, L"", keys, BUF, file);
      for (wchar_t *k = keys; *k; k += wcslen(k) + 1) {
        if (k != keys) putchar(',');
        /* \x01 marks a listed key whose lookup finds nothing (an earlier line without "=" shadows it) */
        GetPrivateProfileStringW(s, k, L"\x01", value, BUF, file);
        putchar('['); emit(k); putchar(','); emit(value); putchar(']');
      }
      fputs("]]", stdout);
    }
    fputs("],\"lookups\":[", stdout);
    lookups(argv[i]);
    fputs("]}\n", stdout);
    free(file);
  }
  return 0;
}
