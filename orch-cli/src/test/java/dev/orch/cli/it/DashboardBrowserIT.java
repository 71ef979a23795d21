package dev.orch.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.testing.ClaudeTestSetup;
import dev.orch.backend.codex.testing.MockResponsesApi;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.testing.Peers;
import dev.orch.store.fs.FsRunStore;
import dev.orch.store.fs.FsStoreSettings;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless {@code chromium} driven by Selenium through the packaged
 * {@code /usr/bin/chromedriver} (never a downloaded one), against {@code bin/orch dashboard} and runs owned by a live
 * {@code bin/orch-mcp} (real codex / claude CLIs on mock models). The page is never reloaded: a marker set on
 * {@code window} at the start must still be there. With {@code -Dorch.docs.screenshots=true} the last test writes
 * {@code docs/dashboard.png} and {@code docs/dashboard-run.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Dashboard in headless Chromium against runs of a live bin/orch-mcp")
class DashboardBrowserIT {
  private static final Duration T = Duration.ofSeconds(60);
  private static final String XSS = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\"> done";

  @TempDir
  static Path tmp;
  private MockResponsesApi model;
  private ClaudeTestSetup claude;
  private Map<String, String> env;
  private McpServer mcp;
  private Process dashboard;
  private String url;
  private String base;
  private WebDriver browser;
  private Path cwd;
  private long classStart;

  @BeforeAll
  void start() throws Exception {
    classStart = System.nanoTime();
    model = MockResponsesApi.start();
    model.script("XSS_TEST", XSS);
    claude = ClaudeTestSetup.start(tmp);
    env = Processes.isolatedEnv(tmp);
    Processes.useCodexWithMock(env, model.baseUrl());
    env.putAll(claude.serverEnvironment());
    cwd = Files.createDirectories(tmp.resolve("work")).toRealPath();
    mcp = McpServer.start(env);
    dashboard = Processes.start(env, cwd, "orch", "dashboard");
    BufferedReader out = new BufferedReader(new InputStreamReader(dashboard.getInputStream(), StandardCharsets.UTF_8));
    url = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (java.io.IOException e) {
        return null;
      }
    }).get(60, TimeUnit.SECONDS);
    assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/\\?token=[0-9a-f]{32}");
    base = url.substring(0, url.indexOf("/?token="));
    Processes.read(dashboard.getErrorStream());
    browser = chromium(tmp.resolve("chromium-profile"));
    System.out.println("browser test setup (mocks, MCP server, dashboard, chromium): "
        + (System.nanoTime() - classStart) / 1_000_000 + " ms");
  }

  /** Headless Chromium from the Debian packages; the packaged driver, never Selenium Manager downloads. */
  static WebDriver chromium(Path profile) {
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1360,820", "--user-data-dir=" + profile);
    return new ChromeDriver(service, options);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (browser != null) {
        browser.quit();
      }
      if (dashboard != null) {
        dashboard.destroy();
        assertThat(dashboard.waitFor(10, TimeUnit.SECONDS)).as("dashboard stops on SIGTERM").isTrue();
      }
      if (mcp != null) {
        mcp.close();
      }
    } finally {
      model.close();
      claude.close();
    }
    System.out.println("browser tests, whole class: " + (System.nanoTime() - classStart) / 1_000_000 + " ms");
    assertThat(Processes.awaitNone(tmp.toString(), Duration.ofSeconds(5))).as("processes of this test left").isEmpty();
  }

  private WebDriverWait waiting() {
    WebDriverWait w = new WebDriverWait(browser, T, Duration.ofMillis(50));
    w.ignoring(StaleElementReferenceException.class);
    return w;
  }

  private WebElement row(String runId) {
    return waiting().until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#runs tr[data-run-id='" + runId + "']")));
  }

  private void awaitRowStatus(String runId, String status) {
    waiting().until(d -> status.equals(row(runId).getAttribute("data-status")));
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  @Test
  @Order(1)
  @DisplayName("a request without the token (or with a wrong one) is refused with 401; the tokened URL sets a cookie")
  void tokenRequired() throws Exception {
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    for (String path : List.of("/", "/api/runs", "/api/stream", "/static/runs.js", "/runs/x", "/?token=0123")) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("GET %s", path).isEqualTo(401);
    }
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/api/runs/x/cancel"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(401);
    HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(ok.headers().firstValue("set-cookie").orElse("")).contains("HttpOnly").contains("SameSite=Strict");

    browser.get(base + "/");
    assertThat(browser.getPageSource()).contains("401 Unauthorized");
    browser.get(url);
    waiting().until(d -> "live".equals(d.findElement(By.id("conn")).getAttribute("data-state")));
    assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").isEqualTo(base + "/");
    js("window.__marker = 'same page';");
  }

  @Test
  @Order(2)
  @DisplayName("a run spawned through the MCP server appears and turns completed without a reload; markup in agent"
      + " names, agent text and run summaries shows as text and runs nothing")
  void runAppearsAndCompletes() throws Exception {
    String evilName = "<img src=x onerror=\"window.__xss=3\">";
    String runId = mcp.spawn("codex", cwd, "XSS_TEST please", evilName, null).path("run_id").asText();
    row(runId);
    awaitRowStatus(runId, "completed");
    WebElement r = row(runId);
    assertThat(r.findElement(By.cssSelector("td.agent")).getText()).isEqualTo(evilName);
    assertThat(r.findElement(By.cssSelector("td.summary")).getText()).isEqualTo("Run completed");
    assertThat(r.findElement(By.cssSelector("td.usage")).getText()).contains("in").contains("out");
    assertThat(r.findElements(By.cssSelector("[data-action='cancel']"))).as("no cancel on a finished run").isEmpty();

    // a summary written by another process (agents control summaries through their messages)
    String forged = forgeFinishedRun(XSS);
    waiting().until(d -> XSS.equals(row(forged).findElement(By.cssSelector("td.summary")).getText()));
    assertThat(js("return window.__xss === undefined;")).isEqualTo(true);
    assertThat(js("return document.querySelectorAll('#runs script, #runs img').length;")).isEqualTo(0L);
    assertThat(js("return window.__marker;")).as("never reloaded").isEqualTo("same page");

    browser.get(base + "/runs/" + runId);
    waiting().until(d -> "completed".equals(d.findElement(By.id("run")).getAttribute("data-status")));
    waiting().until(d -> d.findElement(By.id("final")).getText().equals(XSS));
    assertThat(browser.findElements(By.cssSelector("#events li[data-type='agent_message']")))
        .anySatisfy(li -> assertThat(li.getText()).contains(XSS));
    assertThat(js("return window.__xss === undefined;")).isEqualTo(true);
    assertThat(js("return document.querySelectorAll('main script, main img').length;")).isEqualTo(0L);
    browser.get(url);
    waiting().until(d -> "live".equals(d.findElement(By.id("conn")).getAttribute("data-state")));
    js("window.__marker = 'same page';");
  }

  /** Writes a finished run with that summary straight into the store, as another Orch process would. */
  @SuppressWarnings("try") // the lease is only held while the run is written
  private String forgeFinishedRun(String summary) throws Exception {
    FsRunStore store = new FsRunStore(new FsStoreSettings(tmp.resolve("orch-home"),
        FsStoreSettings.DEFAULT_DIR_NAME));
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    RunRecord run = new RunRecord(RunId.random(), "codex", Role.REVIEWER, SessionId.random(), "forger",
        RunStatus.COMPLETED, cwd, "x", null, null, null, now, now, now, 0, summary, null, null, null, null, null, null, null);
    try (RunLease lease = store.createRun(run)) {
      store.runEnded(run);
    } finally {
      store.close();
    }
    return run.runId().value();
  }

  @Test
  @Order(3)
  @DisplayName("the cancel button of a row cancels a running codex run that the MCP server owns")
  void cancelButton() throws Exception {
    String runId = mcp.spawn("codex", cwd, "Take your time " + MockResponsesApi.SLOW, "sleeper", null)
        .path("run_id").asText();
    awaitRowStatus(runId, "running");
    row(runId).findElement(By.cssSelector("button[data-action='cancel']")).click();
    awaitRowStatus(runId, "cancelled");
    assertThat(mcp.getRun(runId).path("status").asText()).isEqualTo("cancelled");
    assertThat(Processes.awaitNone("--cd " + cwd, Duration.ofSeconds(5))).as("codex after cancel").isEmpty();
    assertThat(js("return window.__marker;")).as("never reloaded").isEqualTo("same page");
  }

  @Test
  @Order(4)
  @DisplayName("the run page shows the input_required question of a claude run the MCP server owns; the answer form"
      + " continues it and the run completes")
  void answerFromRunPage() throws Exception {
    ObjectNode config = McpServer.object().put("permission_mode", "default");
    String runId = mcp.spawn("claude_code", cwd, "RUN_BASH create allowed.txt", "asker", config).path("run_id")
        .asText();
    awaitRowStatus(runId, "input_required");
    row(runId).findElement(By.cssSelector("td.agent a")).click();
    waiting().until(d -> "input_required".equals(d.findElement(By.id("run")).getAttribute("data-status")));
    assertThat(browser.findElement(By.id("run")).getAttribute("data-run-id")).isEqualTo(runId);
    WebElement question = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("question-text")));
    waiting().until(d -> question.getText().contains("echo hi > allowed.txt"));
    WebElement form = browser.findElement(By.cssSelector("form[data-action='continue']"));
    form.findElement(By.tagName("textarea")).sendKeys("allow");
    form.findElement(By.cssSelector("button[type='submit']")).click();
    waiting().until(d -> "completed".equals(d.findElement(By.id("run")).getAttribute("data-status")));
    assertThat(cwd.resolve("allowed.txt")).hasContent("hi");
    assertThat(mcp.getRun(runId).path("status").asText()).isEqualTo("completed");
    assertThat(browser.findElements(By.cssSelector("#events li[data-type='input_required']"))).hasSize(1);
    assertThat(browser.findElement(By.id("final")).getText()).isNotBlank();
  }

  @Test
  @Order(5)
  @DisplayName("the run page reads a large command output by byte ranges from its artifact")
  void artifactPaging() throws Exception {
    String runId = mcp.spawn("codex", cwd, "noise " + MockResponsesApi.BIG_SHELL, "noisy", null).path("run_id")
        .asText();
    browser.get(base + "/runs/" + runId);
    waiting().until(d -> "completed".equals(d.findElement(By.id("run")).getAttribute("data-status")));
    WebElement button = waiting().until(ExpectedConditions.elementToBeClickable(
        By.cssSelector("#events li[data-type='command_finished'] button[data-action='artifact']")));
    button.click();
    WebElement range = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("artifact-range")));
    waiting().until(d -> range.getText().startsWith("bytes 0–"));
    String first = browser.findElement(By.id("artifact-content")).getText();
    assertThat(first).contains("line 1 ");
    screenshot("dashboard-run.png");
    browser.findElement(By.id("artifact-more")).click();
    waiting().until(d -> range.getText().startsWith("bytes 16384–"));
    assertThat(browser.findElement(By.id("artifact-content")).getText()).isNotEqualTo(first).contains("line ");
  }

  /** Takes a screenshot; with -Dorch.docs.screenshots=true it is written to docs/&lt;name&gt;. */
  private void screenshot(String name) throws java.io.IOException {
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    assertThat(Files.size(shot)).isPositive();
    if (Boolean.getBoolean("orch.docs.screenshots")) {
      Files.copy(shot, Peers.repoRoot().resolve("docs").resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  @Order(6)
  @DisplayName("a screenshot of the runs table with a running run (written to docs/ with -Dorch.docs.screenshots=true)")
  void screenshots() throws Exception {
    String running = mcp.spawn("codex", cwd, "Take your time " + MockResponsesApi.SLOW, "builder", null)
        .path("run_id").asText();
    browser.get(url);
    awaitRowStatus(running, "running");
    screenshot("dashboard.png");
    mcp.call("cancel_run", McpServer.object().put("run_id", running));
    mcp.awaitStatus(running, Set.of("cancelled"), T);
  }
}
