"""Execute one lab notebook headless and write its signed .ipynb and HTML report.

Called by `cnnlab run` with the project's .venv Python; not meant to be run by
hand (the CLI sets JUPYTER_PATH and the other Jupyter folders inside the repo).

Why not `jupyter nbconvert --execute`: tslab reports a failed cell with a bare
`status: error` (the TypeScript diagnostic or the exception goes to the cell's
stderr), so nbconvert prints an empty error and writes nothing; and tslab never
sends `execute_input`, so nbconvert leaves `In [ ]`. nbclient fills the
execution counts; this script finds the failing cell and its message, and
still writes the partial notebook and report, marked as incomplete.

Exit status: 0 ok, 1 a cell failed or timed out, 2 bad input, 130 interrupted
(SIGUSR1 from the CLI: interrupt the kernel, write the partial report, exit).
A JSON summary goes to --summary for the CLI.
"""
import argparse
import json
import os
import re
import signal
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter
from nbformat.sign import NotebookNotary

import report_nav

HEADLINE_MIME = 'application/vnd.cnnlab.headline+json'
PROGRESS_MIME = 'application/vnd.cnnlab.progress+json'
ENGINE_MIME = 'application/vnd.cnnlab.engine+json'
INCOMPLETE_TAG = 'cnnlab-incomplete'
# tslab prints compile errors as "<line>:<col> - <message>" and runtime stacks
# through "evalmachine.<anonymous>:<line>:<col>".
TS_DIAGNOSTIC = re.compile(r'^(\d+):(\d+) - (.+)$', re.M)
STACK_LINE = re.compile(r'evalmachine\.<anonymous>:(\d+)(?::(\d+))?')


def user_file_mode():
    """The mode a new file gets under the user's umask (mkstemp's own is 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path, text):
    """Write to a temporary file beside `path`, then rename over it."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.' + os.path.basename(path) + '.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
        # Reports are copied to web servers and shared: readable as any file the user writes.
        os.chmod(tmp, user_file_mode())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def cell_error_text(cell):
    """Everything the kernel wrote to stderr or as an error for this cell."""
    parts = []
    for out in cell.get('outputs', []):
        if out.get('output_type') == 'stream' and out.get('name') == 'stderr':
            parts.append(out.get('text', ''))
        elif out.get('output_type') == 'error':
            parts.append('%s: %s' % (out.get('ename', ''), out.get('evalue', '')))
            parts.extend(out.get('traceback', []))
    return ''.join(p if p.endswith('\n') else p + '\n' for p in parts).strip()


ERROR_LINE = re.compile(r'^\s*(?:Uncaught )?([A-Za-z]*Error|Exception)(?::\s*(.*))?$', re.M)


def locate_source_line(text, source_lines):
    """1-based line of the cell's TypeScript that the error points at.

    Compile errors carry the TypeScript position ("2:7 - ..."). Runtime stacks
    carry positions in tslab's transpiled JavaScript, so the line is found by
    the source excerpt Node prints under "evalmachine.<anonymous>:N".
    """
    diagnostic = TS_DIAGNOSTIC.search(text)
    if diagnostic:
        return int(diagnostic.group(1))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if STACK_LINE.search(line) and i + 1 < len(lines):
            excerpt = lines[i + 1].strip()
            if excerpt:
                for n, src in enumerate(source_lines, start=1):
                    if src.strip() == excerpt:
                        return n
    return None


def describe_failure(nb, index, reason):
    cell = nb.cells[index]
    text = cell_error_text(cell)
    source_lines = cell.source.splitlines()
    line = locate_source_line(text, source_lines)
    message = reason
    diagnostic = TS_DIAGNOSTIC.search(text)
    error_line = ERROR_LINE.search(text)
    if diagnostic:
        message = diagnostic.group(3)
    elif error_line:
        message = error_line.group(0).strip()
    elif text:
        message = next((l.strip() for l in text.splitlines() if l.strip()), reason)
    code_number = sum(1 for c in nb.cells[:index + 1] if c.cell_type == 'code')
    return {
        'cell': index + 1,
        'codeCell': code_number,
        'line': line,
        'sourceLine': source_lines[line - 1] if line and 0 < line <= len(source_lines) else None,
        'message': message,
        'details': text or reason,
        'reason': reason,
    }


def incomplete_banner(failure):
    where = 'cell %d' % failure['cell']
    if failure.get('line'):
        where += ', line %d' % failure['line']
    text = ('**This report is incomplete.** Execution stopped at %s: `%s`. '
            'Cells after it did not run.' % (where, failure['message'].replace('`', "'")))
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata['tags'] = [INCOMPLETE_TAG]
    return cell


def outputs_of(nb, mime):
    """Every output's data of one MIME type, in notebook order."""
    found = []
    for cell in nb.cells:
        for out in cell.get('outputs', []):
            data = out.get('data', {})
            if mime in data:
                found.append(data[mime])
    return found


class ProgressLines:
    """A running cell's progress bars (the lab's progress MIME type) on the terminal.

    On a terminal: one line rewritten in place, in the style of cnnlab train's
    bar. Otherwise (a log, CI): a line at each quarter and at the end, so a
    long cell is never silent and the log stays short.
    """

    BAR = 20

    def __init__(self, stem, tty, columns):
        self.stem = stem
        self.tty = tty
        self.columns = max(columns, 40)
        self.quarter = {}
        self.open_line = False

    def line(self, cell, cells, state):
        total = state.get('total') or 0
        share = 1.0 if state.get('finished') or total == 0 else min(1.0, state.get('done', 0) / total)
        filled = int(round(share * self.BAR))
        bar = '\u2588' * filled + '\u2591' * (self.BAR - filled)
        return '[%s] cell %d/%d: %s [%s] %d%% %s' % (
            self.stem, cell, cells, state.get('label', ''), bar, int(share * 100), state.get('status', ''))

    def show(self, cell, cells, state):
        text = self.line(cell, cells, state)
        finished = bool(state.get('finished'))
        if self.tty:
            sys.stderr.write('\r\x1b[K' + text[:self.columns - 1] + ('\n' if finished else ''))
            self.open_line = not finished
        else:
            key = state.get('label', '')
            total = state.get('total') or 0
            quarter = 4 if finished or total == 0 else int(4 * state.get('done', 0) / total)
            if finished or quarter > self.quarter.get(key, 0):
                self.quarter[key] = 0 if finished else quarter
                sys.stderr.write(text + '\n')
        sys.stderr.flush()

    def end_line(self):
        """Clears an unfinished in-place line before the next plain line."""
        if self.open_line:
            sys.stderr.write('\r\x1b[K')
            self.open_line = False


# Kernel starts tried before a notebook fails for want of a kernel (see the retry in main).
KERNEL_STARTS = 3


class LabNotebookClient(NotebookClient):
    """nbclient, with each progress update shown on the terminal as it arrives."""

    def __init__(self, nb, on_progress, **kwargs):
        super().__init__(nb, **kwargs)
        self.on_progress = on_progress

    def process_message(self, msg, cell, cell_index):
        if msg.get('msg_type') in ('display_data', 'update_display_data'):
            state = (msg.get('content') or {}).get('data', {}).get(PROGRESS_MIME)
            if isinstance(state, dict):
                self.on_progress(state)
        return super().process_message(msg, cell, cell_index)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('notebook')
    ap.add_argument('--html', required=True)
    ap.add_argument('--ipynb', required=True)
    ap.add_argument('--summary', required=True)
    ap.add_argument('--cell-timeout', type=float, default=600)
    ap.add_argument('--kernel', default='tslab')
    ap.add_argument('--tty', action='store_true', help='the output ends on a terminal: rewrite progress in place')
    ap.add_argument('--columns', type=int, default=100)
    ap.add_argument('--nav', default='{}',
                    help='JSON: the budget, and the index, previous and next chapters to link ({"title", "href"} each)')
    a = ap.parse_args()
    try:
        nav = json.loads(a.nav)
    except ValueError as e:
        print('--nav must be JSON, got %r: %s' % (a.nav, e), file=sys.stderr)
        return 2

    nb_path = os.path.abspath(a.notebook)
    summary = {'notebook': nb_path, 'html': a.html, 'ipynb': a.ipynb, 'ok': False}
    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception as e:  # unreadable or not a notebook
        summary['failure'] = {'message': 'cannot read notebook %s: %s' % (nb_path, e)}
        atomic_write(a.summary, json.dumps(summary))
        return 2

    current = {'index': None}

    code_cells = sum(1 for c in nb.cells if c.cell_type == 'code')
    stem = os.path.splitext(os.path.basename(nb_path))[0]
    progress = {'done': 0, 'since': time.time()}
    bars = ProgressLines(stem, a.tty, a.columns)

    def on_cell_start(cell, cell_index):
        current['index'] = cell_index
        progress['since'] = time.time()

    def on_progress(state):
        bars.show(progress['done'] + 1, code_cells, state)

    def on_cell_executed(cell, cell_index, execute_reply):
        if cell.cell_type != 'code':
            return
        progress['done'] += 1
        bars.end_line()
        status = execute_reply.get('content', {}).get('status', 'ok') if execute_reply else 'ok'
        print('[%s] code cell %d/%d %s in %.1f s' % (
            stem, progress['done'], code_cells, 'done' if status == 'ok' else 'FAILED',
            time.time() - progress['since']), file=sys.stderr, flush=True)

    def new_client():
        return LabNotebookClient(
            nb, on_progress, kernel_name=a.kernel, timeout=a.cell_timeout, allow_errors=False,
            record_timing=True, interrupt_on_timeout=True,
            resources={'metadata': {'path': os.path.dirname(nb_path)}},
            on_cell_start=on_cell_start, on_cell_executed=on_cell_executed)

    client = new_client()
    interrupted = {'flag': False}

    def on_stop_request(signum, frame):
        # The CLI turns a user's Ctrl-C into SIGUSR1. We interrupt the kernel
        # rather than this process: the running cell then fails like any
        # other and nbclient shuts the kernel down cleanly. (nbclient's own
        # SIGINT handler shuts the kernel down while the cell is still
        # running, which races with the cell's reply and can leave it behind.)
        provisioner = getattr(client.km, 'provisioner', None) if client.km else None
        pid = getattr(provisioner, 'pid', None)
        if interrupted['flag'] or pid is None:
            raise KeyboardInterrupt
        interrupted['flag'] = True
        print('[%s] interrupting the kernel (SIGINT)' % stem, file=sys.stderr, flush=True)
        os.kill(pid, signal.SIGINT)

    signal.signal(signal.SIGUSR1, on_stop_request)
    timeout_message = 'cell timed out after %g s (--cell-timeout)' % a.cell_timeout
    started = time.time()
    rc = 0
    for attempt in range(1, KERNEL_STARTS + 1):
        try:
            client.execute()
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
            rc = 1
            summary['failure'] = describe_failure(nb, current['index'], type(e).__name__)
            # With interrupt_on_timeout, nbclient interrupts the kernel and reports
            # the kernel's "interrupted" error, not a timeout: tell them apart by
            # how long the cell ran.
            if isinstance(e, CellTimeoutError) or time.time() - progress['since'] >= a.cell_timeout:
                summary['failure']['message'] = summary['failure']['details'] = timeout_message
        except KeyboardInterrupt:
            rc = 130
            index = current['index'] if current['index'] is not None else 0
            summary['failure'] = describe_failure(nb, index, 'interrupted (SIGINT)')
        except RuntimeError as e:
            # The kernel never answered and no cell ran. jupyter_client picks
            # free ports and the kernel binds them moments later; a kernel
            # started beside it (another chapter, another test) can take one
            # in between, and tslab then dies with EADDRINUSE. A fresh start
            # picks fresh ports.
            if current['index'] is not None or attempt == KERNEL_STARTS:
                raise
            print('[%s] the kernel did not start (%s); starting it again (%d of %d)' % (stem, e, attempt + 1, KERNEL_STARTS),
                  file=sys.stderr, flush=True)
            client = new_client()
            continue
        break
    if interrupted['flag']:
        rc = 130
        # tslab's "Interrupted asynchronously" stack says nothing more.
        summary['failure']['message'] = summary['failure']['details'] = 'interrupted (SIGINT)'
    summary['seconds'] = round(time.time() - started, 2)

    if rc != 0:
        nb.cells.insert(0, incomplete_banner(summary['failure']))
    NotebookNotary().sign(nb)
    atomic_write(a.ipynb, nbformat.writes(nb))
    exporter = HTMLExporter(template_name='cnnlab')
    body, _ = exporter.from_notebook_node(
        nb, resources={'metadata': {'name': os.path.splitext(os.path.basename(nb_path))[0]}})
    body = report_nav.framed(body, nav, summary['seconds'], rc == 0)
    atomic_write(a.html, body)
    summary['sections'] = [{'id': s['id'], 'title': s['title']} for s in report_nav.sections(body) if s['level'] == 2]

    summary['ok'] = rc == 0
    summary['headlines'] = outputs_of(nb, HEADLINE_MIME)
    engines = outputs_of(nb, ENGINE_MIME)
    if engines:
        summary['engine'] = engines[0]
    summary['htmlBytes'] = len(body.encode('utf-8'))
    atomic_write(a.summary, json.dumps(summary))
    return rc


if __name__ == '__main__':
    sys.exit(main())
