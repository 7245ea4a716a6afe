#!/usr/bin/env python3
"""Drives the Aloft console in headless chromium (Selenium, Debian's chromium and chromedriver).

    console_test.py --url http://127.0.0.1:PORT --token-file FILE --artifacts DIR [--workflow pima]

Logs in with the token (read from a file so it is never on a command line), opens the executions list,
launches the workflow through the console's launch form (epochs typed in, the rest at their defaults),
watches its execution page until every DAG node is coloured succeeded, checks the timeline has a succeeded
bar per node, opens one node's details and checks its outputs are shown. Saves a screenshot after each step
into DIR and prints each path. Exits 1 with a message naming the step on any failure (a screenshot of the
failing page is saved too).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


class StepFailed(Exception):
    pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--artifacts", required=True)
    ap.add_argument("--workflow", default="pima")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    ap.add_argument("--epochs", type=int, default=600)
    ap.add_argument("--run-seconds", type=int, default=240)
    args = ap.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    with open(args.token_file) as f:
        token = f.read().strip()

    # The browser's profile goes to a temporary directory, not among the screenshots.
    profile = tempfile.mkdtemp(prefix="aloft-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1280,1000", "--user-data-dir=" + profile):
        options.add_argument(a)
    driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
    step = "start"
    shots = 0

    def shot(name):
        nonlocal shots
        shots += 1
        path = os.path.join(args.artifacts, "%02d-%s.png" % (shots, name))
        driver.save_screenshot(path)
        print("screenshot: " + path, flush=True)

    def wait(seconds=30):
        return WebDriverWait(driver, seconds, poll_frequency=0.25)

    try:
        step = "log in"
        driver.get(args.url + "/console/login")
        driver.find_element(By.ID, "token").send_keys(token)
        shot("login")
        driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
        wait().until(EC.url_contains("/console/executions"))
        if token in driver.page_source:
            raise StepFailed("the token's secret appears in the executions page")
        if not driver.find_elements(By.XPATH, "//h1[normalize-space()='Executions']"):
            raise StepFailed("no 'Executions' heading after logging in (at %s)" % driver.current_url)
        shot("executions")

        step = "open the launch form"
        driver.find_element(By.LINK_TEXT, "Launch").click()
        wait().until(EC.presence_of_element_located((By.XPATH, "//h1[normalize-space()='Launch']")))
        # The row of the workflow itself (its kind column says "workflow").
        link = driver.find_element(
            By.XPATH, "//tr[td[2][normalize-space()='workflow']]/td[1]/a[normalize-space()='%s']" % args.workflow)
        link.click()
        form = wait().until(EC.presence_of_element_located((By.ID, "launch-form")))
        # One input typed in (the rest keep their defaults): the execution must run with it.
        form.find_element(By.ID, "in.epochs").send_keys(str(args.epochs))
        shot("launch-form")

        step = "launch through the form"
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait().until(EC.url_matches(r"/console/executions/[^/?#]+$"))
        execution = driver.current_url.rsplit("/", 1)[1]
        print("launched: " + execution, flush=True)
        epochs = driver.find_elements(
            By.XPATH, "//table[@class='kv']//tr[th[normalize-space()='epochs']]/td[normalize-space()='%d']" % args.epochs)
        if not epochs:
            raise StepFailed("the execution's inputs do not show epochs = %d typed into the form" % args.epochs)

        step = "watch %s succeed" % execution
        deadline = time.time() + args.run_seconds
        while True:
            # The page replaces its content while the execution runs (on each of its events): look again each
            # round, and again when it was replaced between finding an element and reading it.
            try:
                nodes = driver.find_elements(By.CSS_SELECTOR, "svg g.node")
                phases = {n.get_attribute("data-node"): n.get_attribute("data-phase") for n in nodes}
                heading = driver.find_element(By.TAG_NAME, "h1").text
            except StaleElementReferenceException:
                time.sleep(0.2)
                continue
            if nodes and all(p == "succeeded" for p in phases.values()) and "succeeded" in heading:
                break
            if any(p in ("failed", "aborted") for p in phases.values()) or "failed" in heading:
                raise StepFailed("the execution did not succeed: heading %r, nodes %r" % (heading, phases))
            if time.time() > deadline:
                raise StepFailed("still not succeeded after %d s: heading %r, nodes %r"
                                 % (args.run_seconds, heading, phases))
            time.sleep(0.5)
        svg = driver.find_element(By.CSS_SELECTOR, "main svg")
        if not svg.is_displayed() or svg.size["width"] < 100:
            raise StepFailed("the DAG's SVG is not visible (size %r)" % svg.size)
        fills = {r.get_attribute("fill") for r in driver.find_elements(By.CSS_SELECTOR, "svg g.node rect")}
        if len(phases) < 4 or fills != {"#d5f2dc"}:
            raise StepFailed("expected 4+ nodes all filled succeeded-green, got %r with fills %r" % (phases, fills))
        shot("succeeded")

        step = "read the timeline"
        bars = driver.find_elements(By.CSS_SELECTOR, "svg.timeline g.bar")
        timeline = {b.get_attribute("data-node"): b.get_attribute("data-phase") for b in bars}
        if timeline != phases or not bars[0].is_displayed():
            raise StepFailed("expected a visible succeeded bar per node %r, got %r" % (sorted(phases), timeline))
        driver.execute_script("arguments[0].scrollIntoView()", bars[0])
        shot("timeline")

        step = "open a node's outputs"
        node = "metrics" if "metrics" in phases else sorted(phases)[-1]
        # Clicking the node in the graph jumps to its details; opening them shows inputs and outputs.
        driver.find_element(By.CSS_SELECTOR, "svg g.node[data-node='%s']" % node).click()
        details = driver.find_element(By.ID, "node-" + node)
        details.find_element(By.TAG_NAME, "summary").click()
        outputs = wait(10).until(lambda d: d.find_element(
            By.XPATH, "//details[@id='node-%s']//tr[th[normalize-space()='outputs']]/td" % node))
        if not outputs.is_displayed() or not outputs.text.strip():
            raise StepFailed("node %s's outputs are empty or hidden: %r" % (node, outputs.text))
        print("outputs of %s: %s" % (node, " ".join(outputs.text.split())), flush=True)
        driver.execute_script("arguments[0].scrollIntoView()", details)
        shot("node-outputs")
        print("ok", flush=True)
        return 0
    except (StepFailed, WebDriverException) as e:
        message = str(e) if isinstance(e, StepFailed) else (e.msg or type(e).__name__ + " (a wait ran out)")
        print("FAILED at step '%s' (page %s): %s" % (step, driver.current_url, message), file=sys.stderr, flush=True)
        try:
            shot("failure")
        except WebDriverException:
            pass
        return 1
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
