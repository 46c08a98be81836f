package org.dtheta.mnist;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.dtheta.nn.io.FileFormatException;
import org.dtheta.nn.io.NpyReader;

/**
 * The folder a training run writes (and a resumed run continues):
 *
 * <ul>
 *   <li>{@code trajectory.npy}: float64 {@code (T/s + 1) x P}, row {@code j} = theta at step
 *       {@code j*s};
 *   <li>{@code metrics.csv}: {@code step,loss,train_accuracy,test_accuracy,grad_norm,seconds},
 *       one row per step {@code 0..T}, measured at theta of that step;
 *   <li>{@code run.json}: config, environment, timings, status;
 *   <li>with {@code --sharpness-every}: a {@code sharpness} column in metrics.csv and {@code
 *       train_sharpness.png};
 *   <li>while running: {@code trajectory.npy.partial}, {@code metrics.csv.partial} and {@code
 *       checkpoint.json} (see {@link Training}).
 * </ul>
 */
final class RunDir {

  static final String TRAJECTORY = "trajectory.npy";
  static final String METRICS = "metrics.csv";
  static final String RUN = "run.json";
  static final String CHECKPOINT = "checkpoint.json";

  final Path dir;

  RunDir(Path dir) {
    this.dir = dir;
  }

  Path trajectory() {
    return dir.resolve(TRAJECTORY);
  }

  Path metrics() {
    return dir.resolve(METRICS);
  }

  Path runJson() {
    return dir.resolve(RUN);
  }

  Path checkpoint() {
    return dir.resolve(CHECKPOINT);
  }

  /** Every file a training run writes here (what {@code train} claims against other writers). */
  List<Path> outputs() {
    return List.of(trajectory(), metrics(), runJson(), checkpoint(), dir.resolve("loss.png"),
        dir.resolve("accuracy.png"), dir.resolve(Training.SHARPNESS_PLOT));
  }

  /** The partial file beside {@code file} while a run is in progress. */
  static Path partial(Path file) {
    return file.resolveSibling(file.getFileName() + ".partial");
  }

  /** The config of a completed run, from {@code run.json}; errors name the file. */
  TrainConfig config() throws IOException {
    Path json = runJson();
    if (!Files.isRegularFile(json)) {
      if (Files.isRegularFile(checkpoint())) {
        throw new NoSuchFileException(
            dir.toString(), null, "training run not finished (resume it with the same train command)");
      }
      throw new NoSuchFileException(json.toString(), null, "no training run here (run.json missing)");
    }
    JsonObject run = Json.readObject(json);
    String status = Json.field(json, run, "status", String.class);
    if (!status.equals("complete")) {
      throw new FileFormatException(json, "run status is '" + status + "', not 'complete'");
    }
    return Json.field(json, run, "config", TrainConfig.class);
  }

  /** The MNIST folder the run read, if recorded. */
  Path dataFolder() throws IOException {
    JsonObject run = Json.readObject(runJson());
    return run.has("data_folder") ? Path.of(run.get("data_folder").getAsString()) : null;
  }

  /**
   * Theta at saved step {@code step} of the run, checked against the config: the step must be a
   * multiple of save-every within the run, and the trajectory must have the run's shape.
   */
  double[] theta(TrainConfig config, int step) throws IOException {
    int row = savedRow(config, step);
    try (NpyReader r = NpyReader.open(trajectory())) {
      r.requireShape("the trajectory of " + runJson(), config.savedRows(), config.parameters());
      return r.requireFinite(r.readRow(row), row, "theta at step " + step);
    }
  }

  /** Checks every saved theta of the run for NaN and infinity (before long work that walks them all). */
  void requireFiniteTrajectory(TrainConfig config) throws IOException {
    try (NpyReader r = NpyReader.open(trajectory())) {
      r.requireShape("the trajectory of " + runJson(), config.savedRows(), config.parameters());
      for (int row = 0; row < config.savedRows(); row++) {
        r.requireFinite(r.readRow(row), row, "theta at step " + row * config.saveEvery());
      }
    }
  }

  /** The trajectory row of {@code step}, or an error listing the saved steps. */
  int savedRow(TrainConfig config, int step) {
    if (step < 0 || step > config.steps() || step % config.saveEvery() != 0) {
      throw new IllegalArgumentException(
          "--step " + step + " is not saved in " + trajectory() + ": saved steps are 0, "
              + config.saveEvery() + ", ..., " + config.steps() + " (every " + config.saveEvery() + ")");
    }
    return step / config.saveEvery();
  }
}
