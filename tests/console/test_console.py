"""The web console end to end, in headless Chromium against the real server.

Signs in with the server's admin key, uploads Pima with the progress bar,
trains from the form while the SSE-fed charts fill, promotes and rolls back
the production alias, and predicts from the try-it form; every page is
checked for labelled controls and for fitting 390 px, and photographed at
1280 and 390 px into $MODELHOST_CONSOLE_SCREENSHOTS. Skips when Chromium,
its driver or python3-selenium is missing (scripts/install-deps has them).
"""

from __future__ import annotations

import json
import os
import shutil
import unittest
import urllib.request

from server import PIMA, RunningServer  # clients/python/tests (CTest's PYTHONPATH)

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # reported by setUpClass
    webdriver = None

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS = os.environ.get("MODELHOST_CONSOLE_SCREENSHOTS", os.path.join(os.getcwd(), "console-screenshots"))
EPOCHS = 4
FIRST_ROW = {"pregnant": 6, "glucose": 148, "pressure": 72, "triceps": 35, "insulin": 0,
             "mass": 33.6, "pedigree": 0.627, "age": 50}
WIDTHS = (1280, 390)

# Every visible form control with no label (a <label for>, a wrapping label or aria-label).
UNLABELLED = """
return [...document.querySelectorAll('main input, main select, main textarea')]
  .filter((c) => c.offsetParent !== null && c.labels.length === 0 && !c.getAttribute('aria-label'))
  .map((c) => c.id || c.outerHTML);
"""


class ConsoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        if webdriver is None:
            raise unittest.SkipTest("python3-selenium is not installed (scripts/install-deps)")
        for program in (CHROMIUM, CHROMEDRIVER):
            if not os.access(program, os.X_OK):
                raise unittest.SkipTest(f"{program} is not installed (Debian's chromium and chromium-driver)")
        cls.server = RunningServer(["--max-training-jobs", "1"])
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--window-size=1280,900", "--disable-extensions", "--no-first-run"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        try:
            cls.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        except Exception:
            cls.server.stop()
            raise
        cls.wait = WebDriverWait(cls.driver, 60, poll_frequency=0.1)
        os.makedirs(SCREENSHOTS, exist_ok=True)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.driver.quit()
        cls.server.stop()

    # --- helpers -----------------------------------------------------------

    def api(self, method: str, path: str, body: object = None) -> object:
        request = urllib.request.Request(
            self.server.url + path, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "Bearer " + self.server.admin_key, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def js(self, script: str, *args: object) -> object:
        return self.driver.execute_script(script, *args)

    def by_id(self, element_id: str):
        return self.driver.find_element(By.ID, element_id)

    def wait_for(self, condition, message: str):
        return self.wait.until(lambda driver: condition(), message)

    def open_page(self, fragment: str, page: str) -> None:
        self.driver.get(f"{self.server.url}/#{fragment}")
        self.wait_for(lambda: self.js("return document.body.dataset.ready") == page, f"page {page} ready")

    def set_width(self, width: int, height: int = 900) -> None:
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})

    def check_page(self, name: str) -> None:
        """Labelled controls; fits each width (no sideways scrolling); a full-page screenshot at each."""
        self.assertEqual(self.js(UNLABELLED), [], f"{name}: controls without a label")
        for width in WIDTHS:
            self.set_width(width)
            # Chart.js follows a resize on its ResizeObserver, a frame or more later.
            overflow = "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            try:
                self.wait_for(lambda: self.js(overflow) <= 0, f"{name} fits {width} px")
            except TimeoutException:
                self.fail(f"{name} scrolls sideways at {width} px ({self.js(overflow)} px too wide)")
            height = min(int(self.js("return document.documentElement.scrollHeight")), 6000)
            self.set_width(width, height)
            self.driver.save_screenshot(os.path.join(SCREENSHOTS, f"{name}-{width}.png"))
        self.set_width(1280)

    def chart(self, canvas_id: str) -> dict:
        return self.js("""const chart = Chart.getChart(document.getElementById(arguments[0]));
          return {labels: chart.data.labels, series: Object.fromEntries(chart.data.datasets.map((d) => [d.label, d.data]))};""",
                       canvas_id)

    def severe_browser_logs(self) -> list:
        """Script errors and Content-Security-Policy violations; the error answers the tour asks for
        on purpose (401 for a wrong key, 404 for a missing version) are not among them."""
        expected = "the server responded with a status of"
        return [entry["message"] for entry in self.driver.get_log("browser")
                if entry["level"] == "SEVERE" and expected not in entry["message"]]

    # --- the tour ----------------------------------------------------------

    def test_a_sign_in(self) -> None:
        self.driver.get(self.server.url + "/")
        key_input = self.wait_for(lambda: self.by_id("api-key").is_displayed() and self.by_id("api-key"), "sign-in form")
        self.check_page("sign-in")
        # Masked, but no password field a browser would offer to save.
        self.assertEqual(key_input.get_attribute("type"), "text")
        self.assertEqual(self.js("return getComputedStyle(arguments[0]).webkitTextSecurity", key_input), "disc")
        # A wrong key: the server's message is shown, and nothing is stored.
        key_input.send_keys("mh_not_a_key", Keys.ENTER)
        error = self.wait_for(lambda: self.by_id("sign-in-error").text, "sign-in error")
        self.assertIn("unauthenticated", error)
        self.assertIsNone(self.js("return sessionStorage.getItem('modelhost.apiKey')"))
        # The keyboard alone signs in: the key field has focus, Enter submits.
        self.assertEqual(self.js("return document.activeElement.id"), "api-key")
        key_input.clear()
        key_input.send_keys(self.server.admin_key, Keys.ENTER)
        self.wait_for(lambda: self.js("return document.body.dataset.ready") == "datasets", "datasets page")
        self.assertEqual(self.js("return sessionStorage.getItem('modelhost.apiKey')"), self.server.admin_key)
        self.assertEqual(self.js("return localStorage.length"), 0)

    def test_b_upload_and_profile(self) -> None:
        self.open_page("datasets", "datasets")
        self.by_id("upload-file").send_keys(os.path.abspath(PIMA))
        self.assertEqual(self.by_id("upload-name").get_attribute("value"), "pima_indians_diabetes")
        name = self.by_id("upload-name")
        name.clear()
        name.send_keys("pima", Keys.ENTER)
        self.wait_for(lambda: "Uploaded pima" in self.by_id("upload-status").text, "upload finished")
        self.assertEqual(float(self.by_id("upload-progress").get_attribute("value")), 100.0)
        self.wait_for(lambda: self.driver.find_elements(By.CSS_SELECTOR, "figure[data-column='glucose'] canvas"),
                      "profile")
        # Each numeric histogram counts every row once; the profile numbers are the server's.
        for column in ("glucose", "mass", "diabetes"):
            counts = self.js("""return Chart.getChart(document.querySelector(
                `figure[data-column='${arguments[0]}'] canvas`)).data.datasets[0].data""", column)
            self.assertEqual(sum(counts), 768, column)
            self.assertGreater(len(counts), 1, column)
        dataset = self.api("GET", "/v1/datasets?name=pima")["datasets"][0]
        self.assertIn(dataset["id"], self.by_id("datasets-list").text)
        self.check_page("datasets")

    def test_c_train_with_live_charts(self) -> None:
        # With one job at a time, a long job holds the form's job in the queue until the
        # page has opened its event stream, so that every epoch reaches the page through it.
        dataset = self.api("GET", "/v1/datasets?name=pima")["datasets"][0]["id"]
        blocker = self.api("POST", "/v1/training-jobs", {
            "dataset": dataset, "target": "diabetes", "register_as": "blocker", "fit": {"epochs": 1000000}})
        self.open_page("training", "training")
        self.assertEqual(Select(self.by_id("job-target")).first_selected_option.get_attribute("value"), "diabetes")
        self.assertEqual(self.by_id("job-loss").get_attribute("value"), "binary_crossentropy")
        self.assertEqual(self.by_id("job-model").get_attribute("value"), "pima")
        epochs = self.by_id("job-epochs")
        epochs.clear()
        epochs.send_keys(str(EPOCHS))
        self.by_id("job-form").submit()
        self.wait_for(lambda: self.by_id("job-state").text == "State: queued", "the stream opened on the queued job")
        self.api("POST", f"/v1/training-jobs/{blocker['id']}:cancel")
        link = self.wait_for(lambda: self.driver.find_elements(By.ID, "job-model-link"), "job finished")[0]
        self.assertEqual(link.text, "pima version 1")
        # The stream fed one epoch event per epoch, each a point on both charts.
        self.assertEqual(self.js("return document.getElementById('loss-chart').dataset.epochEvents"), str(EPOCHS))
        loss = self.chart("loss-chart")
        self.assertEqual(loss["labels"], [str(epoch) for epoch in range(1, EPOCHS + 1)])
        job = next(job for job in self.api("GET", "/v1/training-jobs")["training_jobs"]
                   if job["spec"]["register_as"] == "pima")
        self.assertEqual(job["state"], "succeeded")
        self.assertEqual(loss["series"]["loss"], [entry["values"]["loss"] for entry in job["history"]])
        self.assertEqual(len(loss["series"]["val_loss"]), EPOCHS)
        self.assertEqual(len(self.chart("metric-chart")["series"]["accuracy"]), EPOCHS)
        self.assertIn("State: succeeded", self.by_id("job-state").text)
        self.check_page("training")

    def test_d_promote_and_roll_back(self) -> None:
        # A second version, trained through the API, to roll back from.
        spec = next(job["spec"] for job in self.api("GET", "/v1/training-jobs")["training_jobs"]
                    if job["spec"]["register_as"] == "pima")
        job = self.api("POST", "/v1/training-jobs", spec)
        self.wait_for(lambda: self.api("GET", f"/v1/training-jobs/{job['id']}")["state"]
                      in ("succeeded", "failed", "cancelled"), "the second version's job ended")
        self.open_page("models/pima", "models")
        self.assertIn('no "production" alias', self.by_id("alias-status").text)
        self.driver.find_element(By.CSS_SELECTOR, "button[aria-label='Promote version 2 to production']").click()
        self.wait_for(lambda: '"production" → version 2' in self.by_id("alias-status").text, "promoted")
        self.assertEqual(self.api("GET", "/v1/models/pima")["aliases"], {"production": 2})
        self.assertIn("job_", self.by_id("versions").text)  # lineage
        self.by_id("rollback").click()
        self.wait_for(lambda: '"production" → version 1' in self.by_id("alias-status").text, "rolled back")
        self.assertEqual(self.api("GET", "/v1/models/pima")["aliases"], {"production": 1})
        self.assertFalse(self.by_id("rollback").is_enabled())
        self.check_page("models")

    def test_e_try_it(self) -> None:
        self.open_page("try/pima", "try")
        self.wait_for(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, "#try-fields input")) == 8, "input form")
        for name, value in FIRST_ROW.items():
            self.driver.find_element(By.CSS_SELECTOR, f"#try-fields input[name='{name}']").send_keys(str(value))
        self.driver.find_element(By.CSS_SELECTOR, "#try-fields input[name='age']").send_keys(Keys.ENTER)
        result = self.wait_for(lambda: self.driver.find_elements(By.ID, "prediction"), "prediction")[0]
        expected = self.api("POST", "/v1/models/pima:predict", {"instances": [FIRST_ROW]})
        self.assertEqual(expected["model_version"], 1)  # production, after the roll back
        values = dict(zip([dt.text for dt in result.find_elements(By.TAG_NAME, "dt")],
                          [dd.text for dd in result.find_elements(By.TAG_NAME, "dd")]))
        self.assertEqual(values["version"], "1")
        self.assertEqual(values["label"], str(expected["predictions"][0]["label"]))
        self.assertAlmostEqual(float(values["probability"]), expected["predictions"][0]["probability"], places=3)
        self.check_page("try-it")
        # A server error is shown with its message: version 9 does not exist.
        self.js("""const select = document.getElementById('try-version');
          select.append(new Option('version 9', '9')); select.value = '9';""")
        self.by_id("try-form").submit()
        error = self.wait_for(lambda: self.by_id("try-error").text, "error shown")
        self.assertIn("not_found", error)
        self.assertIn("9", error)

    def test_f_no_script_errors_or_policy_violations(self) -> None:
        self.assertEqual(self.severe_browser_logs(), [])


if __name__ == "__main__":
    unittest.main()
