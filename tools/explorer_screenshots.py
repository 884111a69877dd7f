"""Each explorer running live in JupyterLab, screenshotted from headless Chromium.

    .venv/bin/python tools/explorer_screenshots.py [--out _build/explorers]

Starts JupyterLab on 127.0.0.1 with a scratch notebook (in a temporary folder) holding one cell
per explorer, runs every cell in a live kernel, presses each explorer's play button, lets it run
and saves a screenshot of each explorer's output (and one of the whole page). It prints the
frame rate each explorer's widget reports. Needs the website's browser packages (``make
test-book`` installs Playwright) and Debian's ``chromium``.
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]

CELLS = {
    "ising": "from bmlib.explore import IsingExplorer\nIsingExplorer(L=256, seed=0).show()",
    "maxwell": "from bmlib.explore import MaxwellExplorer\nMaxwellExplorer(seed=0).show()",
    "annealing": "from bmlib.explore import AnnealingExplorer\nAnnealingExplorer(seed=0).show()",
    "fantasies": (
        "from bmlib import datasets\nfrom bmlib.rbm import RBM\nfrom bmlib.explore import FantasyExplorer\n"
        "X, _ = datasets.digits()\n"
        "model = RBM(64, n_epochs=20, random_state=0, monitor=False, verbose=False).fit(X)\n"
        "FantasyExplorer(model, image_shape=(8, 8), seed=0).show()"
    ),
}


COUNT_IMAGE_UPDATES = """area => {
    area.bmlibUpdates = 0;
    new MutationObserver(changes => {
        area.bmlibUpdates += changes.filter(c => c.target.tagName === 'IMG').length;
    }).observe(area, {attributes: true, attributeFilter: ['src'], subtree: true});
}"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebook(names):
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": name,
            "metadata": {},
            "outputs": [],
            "source": CELLS[name],
        }
        for name in names
    ]
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def main():
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPOSITORY / "_build" / "explorers"))
    parser.add_argument("--only", nargs="*", default=list(CELLS), choices=list(CELLS))
    parser.add_argument("--seconds", type=float, default=4.0, help="how long each explorer runs")
    arguments = parser.parse_args()
    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bmlib-lab-"))
    (folder / "explore.ipynb").write_text(json.dumps(_notebook(arguments.only)))
    subprocess.run([sys.executable, str(REPOSITORY / "tools" / "lab_config.py")], check=True)  # as make lab
    port, token = _free_port(), secrets.token_hex(16)
    lab = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}"]  # fmt: skip
    if os.getuid() == 0:
        lab.append("--allow-root")
    server = subprocess.Popen(lab, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/lab/tree/explore.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            page.wait_for_function(
                f"document.querySelectorAll('.jp-OutputArea .widget-play').length >= {len(arguments.only)}",
                timeout=300_000,
            )
            outputs = page.locator(".jp-Cell .jp-OutputArea")
            for index, name in enumerate(arguments.only):
                output = outputs.nth(index)
                output.scroll_into_view_if_needed()
                # count the new images the browser receives, to compare with the kernel's rate
                output.evaluate(COUNT_IMAGE_UPDATES)
                output.locator(".widget-play button").first.click()  # play
                page.wait_for_timeout(arguments.seconds * 1000)
                shown = output.evaluate("area => area.bmlibUpdates") / arguments.seconds
                rate = output.locator(".widget-label").all_inner_texts()
                output.screenshot(path=out / f"explore_{name}.png")
                output.locator(".widget-play button").nth(1).click()  # pause
                kernel = [r for r in rate if "frames/s" in r]
                print(f"{name}: the browser received {shown:.0f} images a second; the kernel says {kernel}")
            page.screenshot(path=out / "explore_lab.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
