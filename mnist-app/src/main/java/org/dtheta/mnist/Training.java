package org.dtheta.mnist;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.mnist.plot.Plots;
import org.dtheta.nn.Initializer;
import org.dtheta.nn.Classifier;
import org.dtheta.nn.Trainer;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.AtomicFiles;
import org.dtheta.nn.io.FileFormatException;
import org.dtheta.nn.io.NpyMatrixWriter;
import org.dtheta.nn.spectral.SharpnessTracker;

/**
 * Full-batch gradient descent on MNIST into a {@link RunDir}, resumable bit for bit.
 *
 * <p>Why resuming gives the same numbers: a step of full-batch GD depends on theta alone (no
 * minibatch order, no optimiser state), and a run is bitwise reproducible for one kernel
 * implementation. So the whole state is the last saved theta, kept exactly (float64) as a row of
 * the trajectory. After each saved row the trajectory and the metrics written so far are forced
 * to disk, then {@code checkpoint.json} records, atomically, how many rows and metric bytes are
 * valid. A resumed run truncates both partial files to those lengths (dropping whatever a kill
 * left after them), reads theta from the last row and carries on; the steps in between are
 * recomputed and come out identical.
 *
 * <p>With {@code --sharpness-every N} the state also holds the warm start of the sharpness
 * Lanczos runs (the last top eigenvector, see {@link SharpnessTracker}): its value changes the
 * measured sharpness in the last bits, so a resumed run that started cold would not write the
 * same bytes. The checkpoint therefore carries it (base64 of the little-endian doubles, in the
 * same atomic write as the rest, so that vector and step always belong together).
 */
final class Training {

  /**
   * What the checkpoint records.
   *
   * @param config the run's config (a resume needs an equal one)
   * @param kernels kernel implementation the run started with
   * @param rows trajectory rows on disk and synced
   * @param step the step of the last of them
   * @param metricsBytes valid bytes of the metrics file (rows for steps {@code < step})
   * @param trainSeconds training time spent so far
   * @param sharpnessStart the warm start of the next sharpness measurement (base64 of
   *     little-endian doubles), or null for none yet
   */
  record Checkpoint(
      TrainConfig config, String kernels, int rows, int step, long metricsBytes, double trainSeconds,
      String sharpnessStart) {}

  /** Lanczos basis of a sharpness measurement at most (the library's default). */
  static final int SHARPNESS_MAX_KRYLOV = org.dtheta.core.linalg.Lanczos.DEFAULT_MAX_KRYLOV_DIMENSION;

  /** The plot of {@code --sharpness-every}; not sharpness.png, which {@code spectrum} writes. */
  static final String SHARPNESS_PLOT = "train_sharpness.png";

  /** How a call ended. */
  enum Outcome {
    COMPLETE,
    ALREADY_COMPLETE,
    STOPPED,
    /** Loss, gradient or theta became NaN or infinite; the run ends with what was finite. */
    DIVERGED
  }

  private final TrainConfig config;
  private final RunDir run;
  private final PrintWriter log;
  private final boolean quiet;
  private String divergence;

  Training(TrainConfig config, Path out, PrintWriter log, boolean quiet) {
    this.config = config;
    this.run = new RunDir(out);
    this.log = log;
    this.quiet = quiet;
  }

  /**
   * Trains (or resumes, or finds complete) the run; {@code stopAfter} (null for never) stops as
   * if interrupted once that many steps are done, for tests of resumption.
   */
  Outcome run(Mnist data, Path dataFolder, Path initFile, Integer stopAfter) throws IOException {
    Files.createDirectories(run.dir);
    AtomicFiles.requireFolder(run.dir);
    Checkpoint checkpoint = readCheckpoint();
    if (checkpoint == null && Files.exists(run.runJson())) {
      return alreadyThere();
    }
    Architecture arch = config.architecture();
    int p = arch.parameters();
    Classifier net = arch.objective(config.lr(), data.train());
    UpdateMap map = Architecture.map(net, config.lr());
    Trainer trainer = new Trainer(map);
    SharpnessTracker sharpness =
        config.sharpnessEvery() != null ? new SharpnessTracker(SHARPNESS_MAX_KRYLOV) : null;
    String header = Metrics.header(sharpness != null);
    Path metricsPartial = RunDir.partial(run.metrics());
    double[] theta;
    NpyMatrixWriter trajectory;
    if (checkpoint == null) {
      theta = initialTheta(initFile, arch);
      trajectory = NpyMatrixWriter.create(run.trajectory(), config.savedRows(), p);
      trajectory.appendRow(theta);
      trajectory.sync();
      AtomicFiles.writeString(metricsPartial, header + "\n");
      checkpoint = new Checkpoint(config, RunInfo.kernelName(), 1, 0, header.length() + 1, 0, null);
      Json.write(run.checkpoint(), checkpoint);
      writeRunJson("running", dataFolder, data, null);
    } else {
      log.println("Resuming " + run.dir + " from step " + checkpoint.step() + " of " + config.steps());
      if (!checkpoint.kernels().equals(RunInfo.kernelName())) {
        log.println("warning: the run started with kernels " + checkpoint.kernels() + ", now "
            + RunInfo.kernelName() + ": the numbers will not be bit-identical to an uninterrupted run");
      }
      restoreIfRenamed(run.trajectory());
      restoreIfRenamed(run.metrics());
      trajectory = NpyMatrixWriter.resume(run.trajectory(), config.savedRows(), p, checkpoint.rows());
      theta = trajectory.readRow(checkpoint.rows() - 1);
      truncate(metricsPartial, checkpoint.metricsBytes());
      if (sharpness != null) {
        sharpness.restoreStartVector(decodeVector(checkpoint.sharpnessStart(), p));
      }
    }
    log.flush();
    // SIGTERM or Ctrl-C: the checkpoint already makes the run resumable; say so and where.
    int[] savedStep = {checkpoint.step()};
    Thread interrupted = new Thread(() -> {
      System.err.println("train: interrupted; " + run.dir + " holds steps 0.." + savedStep[0]
          + " of " + config.steps() + "; rerun the same command to resume");
      System.err.flush();
    }, "dtheta-train-interrupt");
    Runtime.getRuntime().addShutdownHook(interrupted);
    try (FileChannel metrics = FileChannel.open(metricsPartial, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
        Progress progress = Progress.start("train", config.steps(), "steps", quiet)) {
      double[] gradient = new double[p];
      long start = System.nanoTime();
      double before = checkpoint.trainSeconds();
      for (int t = checkpoint.step(); t <= config.steps() && divergence == null; t++) {
        double trainAcc = net.accuracy(theta, data.train());
        double testAcc = net.accuracy(theta, data.test());
        // measured before the step below moves theta in place
        double sharp = sharpness != null && config.measuresSharpness(t)
            ? measureSharpness(sharpness, map, theta, t) : Double.NaN;
        double loss;
        double gradNorm;
        if (t < config.steps()) {
          Trainer.Step step = trainer.step(theta, t);
          loss = step.loss();
          gradNorm = step.gradientNorm();
        } else {
          loss = net.lossAndGradient(theta, gradient);
          // the same reduction as Trainer's, so the last row is computed like the others
          gradNorm = Math.sqrt(Kernels.dot(p, gradient, 0, gradient, 0));
        }
        double seconds = before + (System.nanoTime() - start) * 1e-9;
        write(metrics, metricsPartial, sharpness != null
            ? Metrics.line(t, loss, trainAcc, testAcc, gradNorm, sharp, seconds)
            : Metrics.line(t, loss, trainAcc, testAcc, gradNorm, seconds));
        divergence = divergence(t, loss, gradNorm, t < config.steps() ? theta : null);
        if (divergence != null) {
          checkpoint = new Checkpoint(config, checkpoint.kernels(), (int) trajectory.rowsWritten(),
              checkpoint.step(), metrics.position(), seconds, checkpoint.sharpnessStart());
        } else if (t < config.steps() && (t + 1) % config.saveEvery() == 0) {
          trajectory.appendRow(theta);
          trajectory.sync();
          metrics.force(false);
          checkpoint = new Checkpoint(config, checkpoint.kernels(), (int) trajectory.rowsWritten(),
              t + 1, metrics.position(), seconds,
              sharpness == null ? null : encodeVector(sharpness.startVector()));
          Json.write(run.checkpoint(), checkpoint);
          savedStep[0] = checkpoint.step();
        }
        progress.set(Math.min(t + 1, config.steps()));
        if (stopAfter != null && t + 1 == stopAfter && t < config.steps()) {
          trajectory.suspend();
          return Outcome.STOPPED;
        }
      }
      metrics.force(false);
      if (divergence == null) {
        checkpoint = new Checkpoint(config, checkpoint.kernels(), checkpoint.rows(), config.steps(),
            metrics.position(), before + (System.nanoTime() - start) * 1e-9, null);
      }
    } catch (IOException | RuntimeException e) {
      trajectory.suspend(); // keep the partial trajectory: the checkpoint can resume it
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(interrupted);
      } catch (IllegalStateException e) {
        // shutting down: the hook runs
      }
    }
    if (divergence != null) {
      trajectory.closeTruncated();
    } else {
      trajectory.close();
    }
    AtomicFiles.move(metricsPartial, run.metrics());
    writeRunJson(divergence == null ? "complete" : "diverged", dataFolder, data, checkpoint);
    Files.deleteIfExists(run.checkpoint());
    plot(run, Metrics.read(run.metrics()), config.lr());
    return divergence == null ? Outcome.COMPLETE : Outcome.DIVERGED;
  }

  /** Why the run diverged, after {@link Outcome#DIVERGED}; null otherwise. */
  String divergence() {
    return divergence;
  }

  /**
   * Null while step {@code t} is finite: its loss and gradient norm, and {@code next} (theta after
   * the step, or null after the last); otherwise what went wrong, in a line.
   */
  private String divergence(int t, double loss, double gradNorm, double[] next) {
    String what = !Double.isFinite(loss) ? "the loss at step " + t + " is " + loss
        : !Double.isFinite(gradNorm) ? "the gradient norm at step " + t + " is " + gradNorm
        : null;
    for (int i = 0; what == null && next != null && i < next.length; i++) {
      if (!Double.isFinite(next[i])) {
        what = "theta after step " + t + " has " + next[i] + " at index " + i;
      }
    }
    return what == null ? null : "training diverged: " + what + " (learning rate " + config.lr()
        + "; try a smaller --lr)";
  }

  /**
   * The sharpness at step {@code t}, warm-started by {@code tracker}; a measurement that missed
   * the tolerance is still written, with a warning; NaN (an empty field) if the Hessian is not
   * finite there.
   */
  private double measureSharpness(SharpnessTracker tracker, UpdateMap map, double[] theta, int t) {
    SharpnessTracker.Sharpness s;
    try {
      s = tracker.measure(map.hessianMap(theta));
    } catch (IllegalStateException e) {
      // a non-finite Hessian product: the run is diverging, which the loss check of this step
      // reports (exit 3); the field stays empty
      log.println("warning: no sharpness at step " + t + ": " + e.getMessage());
      log.flush();
      return Double.NaN;
    }
    if (!s.converged()) {
      log.printf(java.util.Locale.ROOT, "warning: sharpness at step %d not converged within %d"
          + " Krylov vectors (residual %.3g)%n", t, s.krylovDimension(), s.residual());
      log.flush();
    }
    return s.value();
  }

  /** Base64 of the little-endian doubles of {@code v} (null stays null). */
  static String encodeVector(double[] v) {
    if (v == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(v);
    return Base64.getEncoder().encodeToString(b.array());
  }

  /** The inverse of {@link #encodeVector}, checked against the length {@code p}. */
  private double[] decodeVector(String text, int p) throws IOException {
    if (text == null) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new FileFormatException(run.checkpoint(), "sharpness_start is not base64: " + e.getMessage());
    }
    if (bytes.length != 8L * p) {
      throw new FileFormatException(run.checkpoint(), "sharpness_start holds " + bytes.length
          + " bytes, not the " + 8L * p + " of " + p + " doubles");
    }
    double[] v = new double[p];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(v);
    return v;
  }

  /**
   * Loss and accuracy curves of a finished run, as {@code loss.png} and {@code accuracy.png};
   * with a sharpness column also {@link #SHARPNESS_PLOT}, the sharpness against 2/alpha.
   */
  static void plot(RunDir run, Metrics m, double alpha) throws IOException {
    double[] x = m.steps();
    Plots.lines(run.dir.resolve("loss.png"), "Training loss (full-batch GD)", "step",
        "cross-entropy loss", List.of(new Plots.Series("loss", x, m.loss())), List.of(), false);
    Plots.lines(run.dir.resolve("accuracy.png"), "Accuracy", "step", "fraction correct",
        List.of(new Plots.Series("train (first k images)", x, m.trainAccuracy()),
            new Plots.Series("test (10000 images)", x, m.testAccuracy())),
        List.of(), false);
    List<double[]> measured = measuredSharpness(m);
    if (measured != null) {
      Plots.lines(run.dir.resolve(SHARPNESS_PLOT), "Sharpness while training (alpha = " + alpha + ")",
          "step", "largest eigenvalue of Hess L",
          List.of(new Plots.Series("sharpness (full batch)", measured.get(0), measured.get(1))),
          List.of(new Plots.Reference(2 / alpha, "2/alpha = " + (2 / alpha))), false);
    }
  }

  /** Steps and values of the measured sharpness, or null if the run has none. */
  private static List<double[]> measuredSharpness(Metrics m) {
    int n = 0;
    for (double s : m.sharpness()) {
      n += Double.isNaN(s) ? 0 : 1;
    }
    if (n == 0) {
      return null;
    }
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0, j = 0; i < m.step().length; i++) {
      if (!Double.isNaN(m.sharpness()[i])) {
        x[j] = m.step()[i];
        y[j++] = m.sharpness()[i];
      }
    }
    return List.of(x, y);
  }

  private Outcome alreadyThere() throws IOException {
    JsonObject json = Json.readObject(run.runJson());
    if (json.has("status") && json.get("status").getAsString().equals("diverged")
        && Json.field(run.runJson(), json, "config", TrainConfig.class).equals(config)) {
      divergence = json.has("divergence") ? json.get("divergence").getAsString() : "training diverged";
      return Outcome.DIVERGED;
    }
    TrainConfig existing;
    try {
      existing = run.config();
    } catch (IOException e) {
      throw new FileFormatException(run.runJson(),
          "the output folder holds another run that is not complete or readable (" + e.getMessage()
              + "); choose another --out");
    }
    if (!existing.equals(config)) {
      throw new IllegalArgumentException(
          run.dir + " already holds a run with another config (" + existing + "); choose another"
              + " --out or delete it");
    }
    log.println(run.dir + " already holds this completed run; nothing to do");
    log.flush();
    return Outcome.ALREADY_COMPLETE;
  }

  private Checkpoint readCheckpoint() throws IOException {
    Path file = run.checkpoint();
    if (!Files.exists(file)) {
      return null;
    }
    JsonObject o = Json.readObject(file);
    TrainConfig saved = Json.field(file, o, "config", TrainConfig.class);
    if (!saved.equals(config)) {
      throw new IllegalArgumentException(
          run.dir + " holds an interrupted run with another config: " + saved + "; rerun with the"
              + " same options to resume it, or choose another --out");
    }
    Checkpoint c = Json.GSON.fromJson(o, Checkpoint.class);
    if (c.rows() < 1 || c.rows() > config.savedRows() || c.step() != (c.rows() - 1) * config.saveEvery()
        || c.metricsBytes() < Metrics.header(config.sharpnessEvery() != null).length() + 1
        || c.kernels() == null) {
      throw new FileFormatException(file, "inconsistent checkpoint: " + o);
    }
    return c;
  }

  private double[] initialTheta(Path initFile, Architecture arch) throws IOException {
    if (initFile == null) {
      return arch.initialTheta(config.seed(), config.initStd(), config.lr());
    }
    return TrainCommand.readInit(initFile, config);
  }

  /** A kill between the final renames and the checkpoint's deletion: undo the rename. */
  private static void restoreIfRenamed(Path file) throws IOException {
    Path partial = RunDir.partial(file);
    if (!Files.exists(partial) && Files.exists(file)) {
      AtomicFiles.move(file, partial);
    }
  }

  private static void truncate(Path file, long bytes) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      if (c.size() < bytes) {
        throw new FileFormatException(file, "holds " + c.size() + " bytes, the checkpoint recorded " + bytes);
      }
      c.truncate(bytes);
    }
  }

  private static void write(FileChannel channel, Path file, String text) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    try {
      while (b.hasRemaining()) {
        channel.write(b);
      }
    } catch (IOException e) {
      throw AtomicFiles.naming(file, e);
    }
  }

  private void writeRunJson(String status, Path dataFolder, Mnist data, Checkpoint end)
      throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status);
    m.put("config", config);
    Architecture arch = config.architecture();
    m.put("architecture", arch.describe());
    if (arch.twoLayer()) {
      m.put("network", TrainConfig.network(arch.hidden().get(0), config.lr()));
    } else {
      Map<String, Object> network = new LinkedHashMap<>();
      network.put("sizes", arch.sizes());
      network.put("activation", arch.activationName());
      network.put("output", "SOFTMAX");
      network.put("loss", "CROSS_ENTROPY");
      network.put("l2", 0.0);
      network.put("learning_rate", config.lr());
      m.put("network", network);
    }
    m.put("parameters", config.parameters());
    m.put("data_folder", dataFolder.toAbsolutePath().toString());
    m.put("data_files", List.of(data.files().trainImages().getFileName().toString(),
        data.files().trainLabels().getFileName().toString(),
        data.files().testImages().getFileName().toString(),
        data.files().testLabels().getFileName().toString()));
    m.put("initializer", config.initFile() != null ? "file " + config.initFile()
        : Initializer.gaussian(config.seed(), config.initStd()).toString());
    if (divergence != null) {
      m.put("divergence", divergence);
    }
    m.put("trajectory", Map.of("file", RunDir.TRAJECTORY,
        "rows", end != null ? end.rows() : config.savedRows(),
        "cols", config.parameters(), "row_j_is_step", "j * " + config.saveEvery()));
    if (config.sharpnessEvery() != null) {
      Map<String, Object> sharp = new LinkedHashMap<>();
      sharp.put("every", config.sharpnessEvery());
      sharp.put("column", "sharpness in " + RunDir.METRICS + ", empty between measurements");
      sharp.put("method", "block Lanczos on full-batch Hessian-vector products, block "
          + SharpnessTracker.BLOCK_SIZE + ", warm start from the previous top eigenvector plus"
          + " seeded random companions");
      sharp.put("tolerance", SharpnessTracker.TOLERANCE);
      sharp.put("max_krylov", SHARPNESS_MAX_KRYLOV);
      sharp.put("plot", SHARPNESS_PLOT);
      m.put("sharpness", sharp);
    }
    m.put("environment", RunInfo.environment());
    if (end != null) {
      m.put("timings", Map.of("train_seconds", end.trainSeconds(),
          "seconds_per_step", config.steps() == 0 ? 0 : end.trainSeconds() / config.steps()));
      m.put("finished", Instant.now().toString());
    }
    Json.write(run.runJson(), m);
  }
}
