package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (issue 16): the system's headless Chromium driven by Selenium
 * through /usr/bin/chromedriver, against a real router (embedded PostgreSQL, the PSP simulators)
 * over real HTTP. Logs in (a wrong key first), disables a provider and sees it on the providers
 * page, makes a rules change that the editor refuses with the problem on its line and then
 * accepts, explains a decision, finds a charge by reference and by id, and takes one PSP down at
 * its simulator to see the charges fail over and the providers page show the outage. Screenshots
 * (PNG) go to target/console/. Skipped only when Chromium or chromedriver is not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target", "console");
  static final String ROUTING = """
      rules:
        - name: usd-cards
          when: { currency: USD }
          strategy: priority
          providers: [revio, processout]
        - name: default
          strategy: priority
          providers: [processout, revio]
      failover: { max_attempts: 3 }
      """;

  static RouterHarness h;
  static Vertx vertx;
  static Api api;
  static ChromeDriver driver;
  static WebDriverWait wait;
  static String card;
  static final List<String> screenshots = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM);
    assumeTrue(Files.isExecutable(CHROMEDRIVER), "chromedriver is not installed at " + CHROMEDRIVER);
    Files.createDirectories(SHOTS);
    // A breaker that opens after 3 failures (2 s reset), so that the outage below opens it.
    h = RouterHarness.start(Files.createTempDirectory("router-console-browser"), ROUTING, 3);
    vertx = Vertx.vertx();
    api = new Api(vertx, h);
    card = await(api.card(RouterHarness.MERCHANT_KEY, new JsonObject().put("revio", Api.token("revio", ""))
        .put("processout", Api.token("processout", ""))));

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,800",
        "--user-data-dir=" + Files.createTempDirectory("console-chromium").toAbsolutePath());
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().withLogFile(new File("target/console/chromedriver.log")).build();
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    // the pages re-render their tables every few seconds
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  @AfterAll
  static void stop() throws Exception {
    if (driver != null) driver.quit();
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get();
    if (h != null) h.close();
    System.out.println("console screenshots: " + screenshots);
  }

  static void shot(String name) throws Exception {
    Path p = SHOTS.resolve(name + ".png");
    Files.write(p, driver.getScreenshotAs(OutputType.BYTES));
    screenshots.add(p.toString());
  }

  static WebElement visible(String css) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  static void textIn(String css, String text) {
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
  }

  static void page(String name) {
    driver.findElement(By.cssSelector("#nav a[data-page='" + name + "']")).click();
    visible("#page-" + name);
  }

  static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  static JsonObject charge(String currency, long amount, String reference) throws Exception {
    return await(api.charge(RouterHarness.MERCHANT_KEY, reference, new JsonObject().put("amount", amount)
        .put("currency", currency).put("card_id", card).put("merchant_reference", reference))).bodyAsJsonObject();
  }

  @Test
  @Order(1)
  void aWrongKeyIsRefusedWithAMessage() throws Exception {
    driver.get(h.url() + "/console");
    visible("#admin_key").sendKeys("admin_not_the_key_123");
    driver.findElement(By.id("login-submit")).click();
    textIn("#login-error", "not the admin key");
    assertTrue(driver.findElements(By.id("nav")).isEmpty(), "still the login form");
    assertFalse(driver.getPageSource().contains("admin_not_the_key_123"), "the key is not echoed");
    shot("01-login-wrong-key");
  }

  @Test
  @Order(2)
  void theAdminKeyLogsIn() throws Exception {
    visible("#admin_key").sendKeys(RouterHarness.ADMIN_KEY);
    driver.findElement(By.id("login-submit")).click();
    visible("#page-providers");
    visible("#provider-revio");
    assertTrue(driver.getCurrentUrl().endsWith("/console") || driver.getCurrentUrl().contains("/console#"),
        "no key in the URL: " + driver.getCurrentUrl());
    assertFalse(driver.getCurrentUrl().contains(RouterHarness.ADMIN_KEY));
    Object storage = js("return JSON.stringify(window.localStorage) + JSON.stringify(window.sessionStorage) + document.cookie");
    assertFalse(String.valueOf(storage).contains(RouterHarness.ADMIN_KEY), "nothing in browser storage: " + storage);
    assertFalse(String.valueOf(storage).contains("console_session"), "the session cookie is HttpOnly: " + storage);
    shot("02-providers");
  }

  @Test
  @Order(3)
  void aProviderDisabledFromTheConsoleIsShownDisabledAndDrained() throws Exception {
    page("providers");
    visible("#toggle-processout").click();
    textIn("#provider-processout .c-enabled", "disabled");
    JsonObject providers = await(api.get("/admin/providers", RouterHarness.ADMIN_KEY)).bodyAsJsonObject();
    JsonObject processout = providers.getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(p -> p.getString("name").equals("processout")).findFirst().orElseThrow();
    assertFalse(processout.getBoolean("enabled"), "drained for routing: " + processout.encode());
    textIn("#providers-summary", "disabled: processout");
    shot("03-providers-processout-disabled");
    visible("#toggle-processout").click();
    textIn("#provider-processout .c-enabled", "enabled");
  }

  @Test
  @Order(4)
  void aRulesChangeIsRefusedWithTheProblemOnItsLineThenFixedAndApplied() throws Exception {
    page("routing");
    textIn("#routing-in-force", "Version");
    WebElement editor = visible("#rules-editor");
    wait.until(d -> String.valueOf(js("return arguments[0].value", editor)).contains("usd-cards"));
    String inForce = String.valueOf(js("return arguments[0].value", editor));
    long before = await(api.get("/admin/routing", RouterHarness.ADMIN_KEY)).bodyAsJsonObject().getLong("version");

    String bad = inForce.replace("  - name: default\n", "  - name: eur-cards\n    when: { currency: EUR }\n"
        + "    strategy: priority\n    providers: [processout, nosuchpsp]\n  - name: default\n");
    assertTrue(bad.contains("nosuchpsp"), "the edit applies to: " + inForce);
    setEditor(bad);
    driver.findElement(By.id("rules-validate")).click();
    visible("#rules-invalid");
    int line = lineOf(bad, "providers: [processout, nosuchpsp]");
    WebElement problem = visible("#rules-listing .problem[data-line='" + line + "']");
    assertTrue(problem.getText().contains("nosuchpsp"), "the problem names the provider: " + problem.getText());
    assertTrue(driver.findElement(By.cssSelector("#rules-listing .ln[data-line='" + line + "']")).getAttribute("class")
        .contains("has-problem"), "the line itself is marked");
    assertFalse(driver.findElement(By.id("rules-apply")).isEnabled(), "nothing to apply while invalid");
    js("arguments[0].scrollIntoView({block: 'center'})", problem);
    shot("04-routing-problem-on-its-line");

    String fixed = bad.replace("[processout, nosuchpsp]", "[processout, revio]");
    setEditor(fixed);
    driver.findElement(By.id("rules-validate")).click();
    textIn("#rules-valid", "Valid");
    WebElement apply = driver.findElement(By.id("rules-apply"));
    assertTrue(apply.isEnabled());
    apply.click();
    textIn("#rules-applied", "is in force");
    long after = await(api.get("/admin/routing", RouterHarness.ADMIN_KEY)).bodyAsJsonObject().getLong("version");
    assertEquals(before + 1, after, "one new version");
    textIn("#in-force-version", "Version " + after);
    textIn("#version-" + after + " .c-changed-by", "console session");

    // The diff between the version before and the one applied shows the new rule.
    wait.until(d -> js("return document.querySelector('#diff-from option[value=\"" + before + "\"]') !== null")
        .equals(Boolean.TRUE));
    js("document.getElementById('diff-from').value = arguments[0]; document.getElementById('diff-to').value = arguments[1];",
        String.valueOf(before), String.valueOf(after));
    driver.findElement(By.id("diff-show")).click();
    textIn("#diff-summary", "+5");
    List<WebElement> added = driver.findElements(By.cssSelector("#diff-listing .ln.add"));
    assertTrue(added.stream().anyMatch(e -> e.getText().contains("eur-cards")), "the added rule is in the diff");
    js("document.getElementById('versions-table').scrollIntoView({block: 'start'})");
    shot("05-routing-history-and-diff");
  }

  static void setEditor(String text) {
    js("const e = document.getElementById('rules-editor'); e.value = arguments[0];"
        + " e.dispatchEvent(new Event('input', {bubbles: true}));", text);
  }

  static int lineOf(String text, String needle) {
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) if (lines[i].contains(needle)) return i + 1;
    throw new AssertionError(needle + " not in " + text);
  }

  @Test
  @Order(8)
  void explainShowsTheDecisionAndItsTrace() throws Exception {
    page("explain");
    WebElement amount = visible("#explain-amount");
    amount.clear();
    amount.sendKeys("2500");
    WebElement currency = driver.findElement(By.id("explain-currency"));
    currency.clear();
    currency.sendKeys("EUR");
    driver.findElement(By.id("explain-country")).sendKeys("NO");
    new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("explain-brand"))).selectByValue("visa");
    driver.findElement(By.id("explain-submit")).click();
    textIn("#explain-rule", "eur-cards");
    textIn("#explain-candidates", "1. processout");
    List<WebElement> trace = driver.findElements(By.cssSelector("#explain-trace tbody tr"));
    assertTrue(trace.size() >= 2, "a trace line per rule and candidate");
    assertTrue(trace.stream().anyMatch(t -> t.getText().contains("usd-cards") && t.getText().contains("not matched")),
        "the rule skipped, with why");
    shot("06-explain");
  }

  @Test
  @Order(9)
  void aChargeIsFoundByMerchantReferenceAndById() throws Exception {
    String ref = "order-console-" + System.nanoTime();
    JsonObject c = charge("USD", 1999, ref);
    assertEquals("succeeded", c.getString("status"), c.encode());
    charge("EUR", 4200, "order-other-" + System.nanoTime());
    page("charges");
    visible("#charge-" + c.getString("id"));

    new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("charges-by"))).selectByValue("merchant_reference");
    driver.findElement(By.id("charges-q")).sendKeys(ref);
    driver.findElement(By.id("charges-go")).click();
    textIn("#charges-caption", "1 charge with merchant reference " + ref);
    assertEquals(1, driver.findElements(By.cssSelector("#charges-table tbody tr.clickable")).size());
    visible("#charge-" + c.getString("id")).click();
    WebElement detail = visible("#detail-" + c.getString("id"));
    assertTrue(detail.getText().contains("rule usd-cards"), detail.getText());
    assertTrue(detail.getText().contains(ref));
    shot("07-charge-by-reference");

    new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("charges-by"))).selectByValue("id");
    WebElement q = driver.findElement(By.id("charges-q"));
    q.clear();
    q.sendKeys(c.getString("id"));
    driver.findElement(By.id("charges-go")).click();
    textIn("#charges-caption", "1 charge with id " + c.getString("id"));
    textIn("#charge-" + c.getString("id") + " .c-status", "succeeded");
    driver.findElement(By.id("charges-clear")).click();
    textIn("#charges-caption", "most recent charges");
  }

  @Test
  @Order(10)
  void aPspOutageFailsChargesOverAndShowsOnTheProvidersPage() throws Exception {
    await(api.faults("revio", new JsonObject().put("down", true)));
    AtomicBoolean traffic = new AtomicBoolean(true);
    List<JsonObject> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread load = new Thread(() -> {
      int i = 0;
      while (traffic.get() && i < 400) {
        try {
          answers.add(charge("USD", 1200, "outage-" + i++ + "-" + System.nanoTime()));
          Thread.sleep(150);
        } catch (Exception e) {
          return;
        }
      }
    }, "outage-traffic");
    load.start();
    try {
      page("providers");
      // The breaker opens after 3 failures; the page polls every 3 s.
      wait.until(d -> !d.findElement(By.cssSelector("#provider-revio .c-circuit")).getText().contains("CLOSED"));
      wait.until(d -> answers.size() >= 8);
      String circuit = driver.findElement(By.cssSelector("#provider-revio .c-circuit")).getText();
      String success = driver.findElement(By.cssSelector("#provider-revio .c-success")).getText();
      String summary = driver.findElement(By.id("providers-summary")).getText();
      assertTrue(summary.contains("revio"), summary);
      shot("08-providers-during-revio-outage");
      System.out.println("providers page during the revio outage: revio circuit " + circuit + ", success " + success
          + "; summary: " + summary);

      for (JsonObject a : new ArrayList<>(answers)) {
        assertEquals("succeeded", a.getString("status"), "failed over to processout: " + a.encode());
        assertEquals("processout", a.getString("provider"), a.encode());
      }
      assertTrue(answers.stream().anyMatch(a -> a.getJsonArray("attempts").size() == 2
          && a.getJsonArray("attempts").getJsonObject(0).getString("outcome").equals("unavailable")),
          "at least one charge tried revio first and failed over");

      page("charges");
      textIn("#charges-caption", "most recent charges");
      wait.until(d -> d.findElements(By.cssSelector("#charges-table .c-attempts")).stream()
          .anyMatch(e -> e.getText().contains("revio unavailable") || e.getText().contains("processout succeeded")));
      shot("09-charges-failing-over");
    } finally {
      traffic.set(false);
      load.join(10_000);
      await(api.clearFaults("revio"));
    }
  }

  @Test
  @Order(11)
  void theListsRenderAndTheConsoleFitsANarrowScreen() throws Exception {
    // A pending charge (...77 at the simulator: pending, approved 2 s later) for the unsettled page.
    JsonObject pending = charge("EUR", 1077, "pending-" + System.nanoTime());
    page("unsettled");
    wait.until(d -> !d.findElement(By.id("unsettled-caption")).getText().isEmpty());
    shot("10-unsettled");
    page("conflicts");
    visible("#conflicts-caption");
    page("dead-letters");
    visible("#dead-letters-caption");
    assertTrue(List.of("pending", "succeeded").contains(pending.getString("status")), pending.encode());

    driver.manage().window().setSize(new Dimension(390, 844));
    page("providers");
    visible("#provider-revio");
    Thread.sleep(500);
    assertFitsTheWidth();
    shot("11-providers-narrow");
    page("charges");
    textIn("#charges-caption", "most recent charges");
    assertFitsTheWidth();
    shot("12-charges-narrow");
    page("routing");
    textIn("#routing-in-force", "Version");
    assertFitsTheWidth();
    driver.manage().window().setSize(new Dimension(1280, 800));
  }

  static void assertFitsTheWidth() {
    Object overflow = js("return document.documentElement.scrollWidth - window.innerWidth");
    assertTrue(((Number) overflow).intValue() <= 1, "no horizontal scrolling at " + js("return window.innerWidth")
        + " px: the page is " + overflow + " px wider");
  }

  @Test
  @Order(12)
  void logoutEndsTheSession() throws Exception {
    visible("#logout").click();
    visible("#admin_key");
    driver.get(h.url() + "/console#providers");
    visible("#admin_key");
    shot("13-logged-out");
  }

  @Test
  @Order(5)
  void theEditorsRulesInstalledAsShadowCountLiveChargesUntilRemoved() throws Exception {
    page("routing");
    WebElement editor = visible("#rules-editor");
    wait.until(d -> !String.valueOf(js("return arguments[0].value", editor)).isBlank());
    visible("#shadow-none");
    driver.findElement(By.id("shadow-install")).click();
    textIn("#shadow-summary", "Generation");
    assertEquals(200, await(api.get("/admin/routing/shadow", RouterHarness.ADMIN_KEY)).statusCode(), "installed for real");
    charge("USD", 1500, "shadow-" + java.util.UUID.randomUUID());
    // the page polls every 5 s; the count it shows is the router's
    wait.until(d -> !"0".equals(d.findElement(By.id("shadow-decisions")).getText()));
    js("arguments[0].scrollIntoView({block: 'center'})", visible("#shadow-pairs"));
    shot("04b-routing-shadow");
    driver.findElement(By.id("shadow-remove")).click();
    visible("#shadow-none");
    assertEquals(404, await(api.get("/admin/routing/shadow", RouterHarness.ADMIN_KEY)).statusCode());
  }

  @Test
  @Order(7)
  void aCanaryStartedFromTheEditorShowsItsArmsAndIsStoppedFromThePage() throws Exception {
    page("routing");
    WebElement editor = visible("#rules-editor");
    wait.until(d -> !String.valueOf(js("return arguments[0].value", editor)).isBlank());
    visible("#canary-status");
    WebElement share = driver.findElement(By.id("canary-share"));
    share.clear();
    share.sendKeys("25");
    driver.findElement(By.id("canary-start")).click();
    textIn("#canary-state", "running");
    JsonObject running = await(api.get("/admin/routing/canary", RouterHarness.ADMIN_KEY)).bodyAsJsonObject();
    assertEquals("running", running.getString("state"), "started for real: " + running.encode());
    assertEquals(25, running.getInteger("share_percent"), "with the page's plan");
    textIn("#canary-arms", "control (in force)");
    js("arguments[0].scrollIntoView({block: 'center'})", visible("#canary-arms"));
    shot("04d-routing-canary");
    driver.findElement(By.id("canary-stop")).click();
    textIn("#canary-state", "stopped");
    assertEquals("stopped", await(api.get("/admin/routing/canary", RouterHarness.ADMIN_KEY)).bodyAsJsonObject().getString("state"));
  }

  @Test
  @Order(6)
  void theEditorsRulesAreBacktestedOverTheStoredCharges() throws Exception {
    page("routing");
    WebElement editor = visible("#rules-editor");
    wait.until(d -> !String.valueOf(js("return arguments[0].value", editor)).isBlank());
    charge("USD", 1500, "backtest-" + java.util.UUID.randomUUID());
    driver.findElement(By.id("backtest-run")).click();
    textIn("#backtest-summary", "charges replayed");
    long shown = Long.parseLong(driver.findElement(By.id("backtest-charges")).getText());
    assertTrue(shown >= 1, "at least the charge just made: " + shown);
    long changed = Long.parseLong(driver.findElement(By.id("backtest-changed")).getText());
    assertTrue(changed >= 0 && changed <= shown, changed + " of " + shown);
    textIn("#backtest-providers", "Provider");
    js("arguments[0].scrollIntoView({block: 'center'})", visible("#backtest-providers"));
    shot("04c-routing-backtest");
  }
}
