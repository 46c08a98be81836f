package org.dtheta.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.apache.spark.TaskContext;
import org.dtheta.mnist.MnistApp;
import picocli.CommandLine;

/**
 * One configuration of a sweep and what its Spark task does: {@code dtheta train} into its own
 * folder, then, if asked, {@code dtheta spectrum} (largest and smallest Hessian eigenvalue at
 * every {@code sharpnessEvery} steps) and {@code dtheta lyapunov} on it. The task runs the
 * {@code dtheta} command line itself, in-process, so the files are exactly those commands'
 * (same code, same bytes); it resumes a run a killed attempt left, as {@code dtheta train} does.
 *
 * @param lr learning rate alpha
 * @param seed seed of the initial weights
 * @param hidden hidden widths as {@code --hidden} takes them (e.g. {@code 32,16})
 * @param activation hidden activation
 * @param settings what every run of the sweep shares
 */
record SweepRun(double lr, long seed, String hidden, String activation, Settings settings)
    implements Serializable {

  /**
   * The options every run of a sweep shares.
   *
   * @param k training images
   * @param steps gradient-descent steps
   * @param saveEvery steps between saved thetas
   * @param initStd standard deviation of the initial weights
   * @param sharpnessEvery steps between spectra (0: none)
   * @param lyapunov Lyapunov exponents to compute (0: none)
   */
  record Settings(int k, int steps, int saveEvery, double initStd, int sharpnessEvery, int lyapunov)
      implements Serializable {}

  /**
   * What a task did.
   *
   * @param dir the run's folder, relative to OUT
   * @param status complete or diverged
   * @param attempt Spark's attempt number (0 the first)
   * @param seconds wall time of the task
   */
  record Outcome(String dir, String status, int attempt, double seconds) implements Serializable {}

  /**
   * System property naming runs (their folder, e.g. {@code runs/lr0.1_seed0_h8_sigmoid}, comma
   * separated) whose first task attempt trains half-way, then fails: how tests show that a
   * failed task is retried and resumes. Executors see it through extraJavaOptions.
   */
  static final String FAIL_FIRST_ATTEMPT = "dtheta.spark.failFirstAttempt";

  /** The run's folder relative to OUT: {@code runs/lr<alpha>_seed<s>_h<h1-h2>_<activation>}. */
  String dir() {
    return "runs/lr" + lr + "_seed" + seed + "_h" + hidden.replace(',', '-') + "_" + activation;
  }

  /** The run's task log relative to OUT: {@code logs/lr<alpha>_seed<s>_h<widths>_<activation>.log}. */
  String logName() {
    return "logs/" + dir().substring("runs/".length()) + ".log";
  }

  /** The {@code dtheta train} words of this run, writing into {@code runDir}. */
  List<String> trainArgs(Path data, Path runDir) {
    return new ArrayList<>(List.of("train", "--data", data.toString(), "--k", "" + settings.k(),
        "--hidden", hidden, "--activation", activation, "--lr", "" + lr, "--seed", "" + seed,
        "--save-every", "" + settings.saveEvery(), "--init-std", "" + settings.initStd(),
        "--steps", "" + settings.steps(), "--out", runDir.toString(), "--quiet"));
  }

  /** The {@code dtheta spectrum} words of this run's sharpness, or null if none is asked for. */
  List<String> spectrumArgs(Path data, Path runDir) {
    if (settings.sharpnessEvery() == 0) {
      return null;
    }
    return List.of("spectrum", "--run", runDir.toString(), "--data", data.toString(),
        "--steps", String.join(",", sharpnessSteps().stream().map(String::valueOf).toList()),
        "--top", "1", "--bottom", "1", "--quiet");
  }

  /** The {@code dtheta lyapunov} words of this run, or null if none are asked for. */
  List<String> lyapunovArgs(Path data, Path runDir) {
    if (settings.lyapunov() == 0) {
      return null;
    }
    return List.of("lyapunov", "--run", runDir.toString(), "--data", data.toString(),
        "--m", "" + settings.lyapunov(), "--quiet");
  }

  /** Steps 0, N, 2N, ... and the last, where the sharpness is computed. */
  List<Integer> sharpnessSteps() {
    TreeSet<Integer> steps = new TreeSet<>();
    for (int t = 0; t <= settings.steps(); t += settings.sharpnessEvery()) {
      steps.add(t);
    }
    steps.add(settings.steps());
    return new ArrayList<>(steps);
  }

  /** The task: trains (or resumes, or finds complete) the run, then its analyses. */
  Outcome run(MnistBytes mnist, Path out) throws IOException {
    long t0 = System.nanoTime();
    Path data = mnist.materialize();
    Path runDir = out.resolve(dir());
    Files.createDirectories(runDir);
    Path logFile = out.resolve(logName());
    Files.createDirectories(logFile.getParent());
    TaskContext task = TaskContext.get();
    int attempt = task == null ? 0 : task.attemptNumber();
    String status;
    try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
      log.println("== " + Instant.now() + " attempt " + attempt + " of " + dir() + " (kernel threads "
          + SparkOptions.kernelThreads() + ")");
      List<String> train = trainArgs(data, runDir);
      boolean inject = attempt == 0 && List.of(System.getProperty(FAIL_FIRST_ATTEMPT, "").split(","))
          .contains(dir());
      if (inject) {
        train.addAll(List.of("--stop-after", "" + Math.max(1, settings.steps() / 2)));
        dtheta(log, train);
        throw new IllegalStateException("injected failure of the first attempt of " + dir()
            + " after half its steps (" + FAIL_FIRST_ATTEMPT + ")");
      }
      int code = dtheta(log, train);
      if (code == MnistApp.DIVERGED) {
        status = "diverged";
      } else {
        require(code, "train", logFile);
        status = "complete";
        List<String> spectrum = spectrumArgs(data, runDir);
        if (spectrum != null && !hasSharpness(runDir)) {
          require(dtheta(log, spectrum), "spectrum", logFile);
        }
        List<String> lyapunov = lyapunovArgs(data, runDir);
        if (lyapunov != null && !hasLyapunov(runDir)) {
          require(dtheta(log, lyapunov), "lyapunov", logFile);
        }
      }
    }
    return new Outcome(dir(), status, attempt, (System.nanoTime() - t0) * 1e-9);
  }

  /** Runs {@code dtheta words} in this JVM, its output going to {@code log}. */
  private static int dtheta(PrintWriter log, List<String> words) {
    log.println("$ dtheta " + String.join(" ", words));
    CommandLine cmd = MnistApp.commandLine();
    cmd.setOut(log);
    cmd.setErr(log);
    return cmd.execute(words.toArray(String[]::new));
  }

  private void require(int code, String command, Path logFile) {
    if (code != 0) {
      throw new IllegalStateException("dtheta " + command + " exited with " + code + " for " + dir()
          + "; its output is in " + logFile);
    }
  }

  /** Whether the run in {@code runDir} and every analysis asked for are on disk, complete. */
  boolean finished(Path runDir) throws IOException {
    String status = status(runDir);
    return "diverged".equals(status)
        || ("complete".equals(status) && (settings.sharpnessEvery() == 0 || hasSharpness(runDir))
            && (settings.lyapunov() == 0 || hasLyapunov(runDir)));
  }

  /** The status in the run's run.json (complete, diverged, running), or null without one. */
  static String status(Path runDir) throws IOException {
    Path json = runDir.resolve("run.json");
    if (!Files.isRegularFile(json)) {
      return null;
    }
    JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    return o.has("status") ? o.get("status").getAsString() : null;
  }

  /** sharpness.csv holds exactly this sweep's steps (a sweep with another N recomputes it). */
  private boolean hasSharpness(Path runDir) throws IOException {
    Path csv = runDir.resolve("sharpness.csv");
    if (!Files.isRegularFile(csv)) {
      return false;
    }
    List<Integer> steps = new ArrayList<>();
    for (String[] row : Csv.rows(csv)) {
      steps.add(Integer.parseInt(row[0]));
    }
    return steps.equals(sharpnessSteps());
  }

  /** lyapunov.csv holds exactly this sweep's number of exponents. */
  private boolean hasLyapunov(Path runDir) throws IOException {
    Path csv = runDir.resolve("lyapunov.csv");
    return Files.isRegularFile(csv) && Csv.rows(csv).size() == settings.lyapunov();
  }

  /** lr, seed, hidden, activation as CSV fields. */
  String csvFields() {
    return String.format(Locale.ROOT, "%s,%d,%s,%s", lr, seed, Csv.quote(hidden), activation);
  }
}
