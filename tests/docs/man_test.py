#!/usr/bin/env python3
"""man_test.py - keeps docs/man/ complete and its examples compiling.

For every symbol the built libintr.so exports there must be a page
docs/man/<symbol>.3.md with the required sections in order, the header's
exact prototype in its SYNOPSIS, the library's stance on async-signal safety
in its SIGNALS section, and an EXAMPLE that compiles (and, with --run, runs
and exits 0) against the built library. Every page must be listed in the
index, and every relative link must lead to an existing page and heading.

One result line per page, then "N passed, N failed". Exit status 1 if any
page failed. Standard library only.
"""
import argparse
import errno
import os
import re
import subprocess
import sys

SECTIONS_3 = ["NAME", "SYNOPSIS", "DESCRIPTION", "RETURN VALUE", "ERRORS",
              "SIGNALS", "EXAMPLE", "SEE ALSO"]
SECTIONS_7 = ["NAME", "DESCRIPTION"]  # first; SEE ALSO must come last

# The promised async-signal-safe functions. Keep this list short: every
# other page must say plainly that its function is not async-signal-safe.
SIGNAL_SAFE = {"intr_term", "intr_sem_post", "intr_now", "intr_version"}
# Safe for the library's own codes only; its page must say both.
SIGNAL_SAFE_IN_PART = {"intr_strerror"}

# Names the linker may define in any shared object; they are not API.
LINKER_NAMES = {"_init", "_fini", "_edata", "_end", "__bss_start"}

LIB_ERRNOS = {"ETERM", "EFSM"}


def exported_symbols(nm, lib):
    out = subprocess.run([nm, "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        name = fields[-1].split("@")[0]
        if name and name not in LINKER_NAMES:
            names.add(name)
    return names


def squash(text):
    """Whitespace-insensitive form of C declarations."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\(\s+", "(", text)
    return re.sub(r"\s+\)", ")", text)


def header_prototypes(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    # Preprocessor lines (the INTR_API definition itself among them).
    text = re.sub(r"^[ \t]*#(?:.*\\\n)*.*$", " ", text, flags=re.M)
    protos = {}
    for m in re.finditer(r"\bINTR_API\s+([^;{]+?)\s*;", text):
        decl = squash(m.group(1))
        name = re.search(r"(\w+)\s*\(", decl)
        if name:
            protos[name.group(1)] = decl
    return protos


def slug(heading):
    """The anchor a Markdown renderer (GitHub style) gives a heading."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def strip_code(text):
    """The text without its fenced code blocks (headings there are code)."""
    return re.sub(r"^```.*?^```[ \t]*$", "", text, flags=re.S | re.M)


def parse_sections(text):
    """Level-2 sections: [(title, body)], in order."""
    parts = re.split(r"^## +(.+?)\s*$", text, flags=re.M)
    return [(parts[i].strip(), parts[i + 1])
            for i in range(1, len(parts) - 1, 2)]


def anchors(text):
    return {slug(h) for h in
            re.findall(r"^#{1,6} +(.+?)\s*$", strip_code(text), flags=re.M)}


class Page:
    def __init__(self, path):
        self.path = path
        self.file = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            self.text = f.read()
        self.sections = parse_sections(self.text)
        self.titles = [t for t, _ in self.sections]

    def section(self, title):
        for t, body in self.sections:
            if t == title:
                return body
        return ""


def check_order(page, required, problems):
    it = iter(page.titles)
    missing = [t for t in required if t not in page.titles]
    if missing:
        problems.append("missing section(s): " + ", ".join(missing))
    elif not all(t in it for t in required):
        problems.append("sections out of order: " + ", ".join(page.titles)
                        + " (want " + ", ".join(required) + ")")


def check_fn_page(page, name, protos, problems):
    check_order(page, SECTIONS_3, problems)
    if page.titles and set(page.titles) - set(SECTIONS_3):
        problems.append("unexpected section(s): " + ", ".join(
            t for t in page.titles if t not in SECTIONS_3))
    if not page.text.startswith("# %s(3)\n" % name):
        problems.append("first line is not '# %s(3)'" % name)
    if not re.search(r"^%s\b" % re.escape(name), page.section("NAME"),
                     flags=re.M):
        problems.append("NAME does not start with " + name)
    syn = page.section("SYNOPSIS")
    if "#include <intr.h>" not in syn:
        problems.append("SYNOPSIS lacks #include <intr.h>")
    if name not in protos:
        problems.append("intr.h declares no INTR_API prototype for " + name)
    elif protos[name] not in squash(syn):
        problems.append("SYNOPSIS lacks the prototype from intr.h: "
                        + protos[name] + ";")
    check_errnos(page, problems)
    check_safety(page, name, problems)


def check_errnos(page, problems):
    for e in set(re.findall(r"\bE[A-Z0-9]{2,}\b", page.section("ERRORS"))):
        if not hasattr(errno, e) and e not in LIB_ERRNOS:
            problems.append("ERRORS names %s, which is no errno value" % e)


def check_safety(page, name, problems):
    sig = re.sub(r"\s+", " ", page.section("SIGNALS")).lower()
    says_not = "not async-signal-safe" in sig
    says_is = re.search(r"\bis async-signal-safe\b", sig) is not None
    if name in SIGNAL_SAFE and (says_not or not says_is):
        problems.append("SIGNALS must say it is async-signal-safe")
    elif name in SIGNAL_SAFE_IN_PART and not (says_is and says_not):
        problems.append("SIGNALS must say for which values it is "
                        "async-signal-safe and for which it is not")
    elif (name not in SIGNAL_SAFE | SIGNAL_SAFE_IN_PART) and not says_not:
        problems.append("SIGNALS must say plainly: not async-signal-safe")


def check_links(page, man_dir, problems):
    body = strip_code(page.text)
    for target in sorted(set(re.findall(r"\]\(([^)\s]+)\)", body))):
        if re.match(r"[a-z]+:", target):
            continue  # an external URL
        path, _, frag = target.partition("#")
        dest = os.path.join(man_dir, path) if path else page.path
        if not os.path.isfile(dest):
            problems.append("broken link " + target)
            continue
        if frag:
            with open(dest, encoding="utf-8") as f:
                if frag not in anchors(f.read()):
                    problems.append("link to missing heading " + target)


def example_source(page):
    m = re.search(r"^```c[ \t]*\n(.*?)^```[ \t]*$", page.section("EXAMPLE"),
                  flags=re.S | re.M)
    return m.group(1) if m else None


def check_example(page, args, problems):
    src = example_source(page)
    if src is None:
        if "EXAMPLE" in page.titles:
            problems.append("EXAMPLE has no ```c block")
        return
    stem = page.file[:-len(".md")].replace(".", "_")
    c_file = os.path.join(args.work, stem + ".c")
    exe = os.path.join(args.work, stem)
    with open(c_file, "w", encoding="utf-8") as f:
        f.write(src)
    lib_dir = os.path.dirname(os.path.abspath(args.lib))
    cmd = ([args.cc] + args.cflag + ["-I", args.include, c_file, args.lib,
            "-Wl,-rpath," + lib_dir, "-pthread", "-o", exe])
    cc = subprocess.run(cmd, capture_output=True, text=True)
    if cc.returncode != 0:
        problems.append("EXAMPLE does not compile:\n  $ " + " ".join(cmd)
                        + "\n" + cc.stdout + cc.stderr)
        return
    if not args.run:
        return
    try:
        run = subprocess.run([exe], capture_output=True, text=True,
                             timeout=args.run_timeout,
                             stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        problems.append("EXAMPLE did not finish within %d s" %
                        args.run_timeout)
        return
    if run.returncode != 0:
        problems.append("EXAMPLE exited with status %d:\n%s%s" %
                        (run.returncode, run.stdout, run.stderr))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--man", required=True, help="the docs/man directory")
    ap.add_argument("--index", required=True, help="docs/README.md")
    ap.add_argument("--header", required=True, help="include/intr.h")
    ap.add_argument("--lib", required=True, help="the built libintr.so")
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--cc", required=True, help="the C compiler")
    ap.add_argument("--cflag", action="append", default=[],
                    help="one compiler flag (repeat); use --cflag=-Wall")
    ap.add_argument("--work", required=True, help="scratch directory")
    ap.add_argument("--run", action="store_true",
                    help="also run each example; it must exit 0")
    ap.add_argument("--run-timeout", type=int, default=30)
    args = ap.parse_args()
    args.include = os.path.dirname(os.path.abspath(args.header))
    os.makedirs(args.work, exist_ok=True)

    symbols = exported_symbols(args.nm, args.lib)
    if not symbols:
        print("FAIL %s exports no symbol (is it the library?)" % args.lib)
        print("0 passed, 1 failed")
        return 1
    protos = header_prototypes(args.header)
    with open(args.index, encoding="utf-8") as f:
        index = f.read()

    files = sorted(f for f in os.listdir(args.man) if f.endswith(".md"))
    wanted = sorted(s + ".3.md" for s in symbols)
    passed = failed = 0
    for file in sorted(set(files) | set(wanted)):
        problems = []
        path = os.path.join(args.man, file)
        if file not in files:
            problems.append("libintr.so exports %s but there is no page %s"
                            % (file[:-len(".3.md")], path))
        else:
            page = Page(path)
            if file.endswith(".3.md"):
                name = file[:-len(".3.md")]
                if name not in symbols:
                    problems.append("page for %s, which libintr.so does "
                                    "not export" % name)
                check_fn_page(page, name, protos, problems)
            else:
                check_order(page, SECTIONS_7, problems)
                if page.titles and page.titles[-1] != "SEE ALSO":
                    problems.append("last section is not SEE ALSO")
            if "(man/%s)" % file not in index:
                problems.append("not listed in " + args.index)
            check_links(page, args.man, problems)
            check_example(page, args, problems)
        if problems:
            failed += 1
            print("FAIL %s" % file)
            for p in problems:
                print("     " + p.rstrip().replace("\n", "\n     "))
        else:
            passed += 1
            print("ok   %s" % file)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
