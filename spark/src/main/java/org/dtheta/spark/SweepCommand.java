package org.dtheta.spark;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.dtheta.mnist.TrainedRun;
import org.dtheta.mnist.data.MnistFetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dtheta-spark sweep}: a grid of training runs, one Spark task each, and their summary. */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Trains every configuration of the grid --lr x --seed x --hidden x --activation as"
          + " 'dtheta train' does (same files, the same trajectory bytes), one Spark task per run,"
          + " into OUT/runs/lr<alpha>_seed<s>_h<widths>_<activation>; with --sharpness-every and"
          + " --lyapunov also 'dtheta spectrum' (largest and smallest Hessian eigenvalue) and"
          + " 'dtheta lyapunov' on each run.",
      "Writes OUT/sweep.csv (run_dir,lr,seed,hidden,activation,status,step,loss,train_accuracy,"
          + "test_accuracy,grad_norm,sharpness,lambda_min), OUT/lyapunov.csv (run_dir,lr,seed,"
          + "hidden,activation,index,exponent), OUT/sharpness_lr<alpha>.png (sharpness against"
          + " step with the 2/alpha line), OUT/lyapunov.png and OUT/final_loss.png (top exponent"
          + " and final loss against alpha); task logs in OUT/logs. Rerun the same command to resume: finished"
          + " runs are skipped, interrupted ones continue from their last saved step."
    })
final class SweepCommand implements Callable<Integer> {

  @Option(names = "--lr", split = ",", paramLabel = "ALPHA", defaultValue = "0.1",
      description = "Learning rates, comma-separated (default: ${DEFAULT-VALUE}).")
  List<Double> lrs;

  @Option(names = "--seed", split = ",", paramLabel = "S", defaultValue = "0",
      description = "Seeds of the initial weights, comma-separated (default: ${DEFAULT-VALUE}).")
  List<Long> seeds;

  @Option(names = "--hidden", paramLabel = "H1,H2,...",
      description = "A network's hidden widths as dtheta takes them (50, or 32,16); repeat the"
          + " option for several networks (default: 50).")
  List<String> hidden;

  @Option(names = "--activation", split = ",", paramLabel = "NAME", defaultValue = "sigmoid",
      description = "Hidden activations, comma-separated: sigmoid, tanh, relu (default: ${DEFAULT-VALUE}).")
  List<String> activations;

  @Option(names = "--k", defaultValue = "60000", paramLabel = "N",
      description = "Training images: the first N (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--steps", defaultValue = "100", paramLabel = "T",
      description = "Gradient-descent steps per run (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--save-every", defaultValue = "1", paramLabel = "S",
      description = "Save theta every S steps (default: ${DEFAULT-VALUE}).")
  int saveEvery;

  @Option(names = "--init-std", defaultValue = "0.1", paramLabel = "SIGMA",
      description = "Initial weights ~ N(0, SIGMA^2) (default: ${DEFAULT-VALUE}).")
  double initStd;

  @Option(names = "--sharpness-every", defaultValue = "0", paramLabel = "N",
      description = "Largest and smallest Hessian eigenvalue every N steps and at the last"
          + " (a multiple of --save-every; default 0: none).")
  int sharpnessEvery;

  @Option(names = "--lyapunov", defaultValue = "0", paramLabel = "M",
      description = "The M leading Lyapunov exponents of each run (default 0: none).")
  int lyapunov;

  @Option(names = "--data", paramLabel = "DIR",
      description = "MNIST folder (the four IDX files), read once here and sent to the tasks."
          + " Default: the cache of 'dtheta data fetch'.")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "OUT",
      description = "Output folder, created if missing: a local path (on a cluster one every"
          + " executor sees; runs train in place), or any Hadoop URI such as hdfs://... (runs"
          + " train on the executors' local disks and are copied there when finished).")
  String out;

  @Mixin SparkOptions spark;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    spark.check();
    List<SweepRun> grid = grid();
    Path dataFolder = data != null ? data : MnistFetcher.defaultCache();
    MnistBytes mnist = MnistBytes.read(dataFolder, k);
    SweepFolder folder = SweepFolder.of(out, spark.hadoopConfiguration());
    Path local = folder.driverFolder(grid);
    try (FileChannel lockFile = folder.local() ? FileChannel.open(local.resolve(".sweep.lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE) : null;
        FileLock lock = lockFile != null ? lockFile.tryLock() : null) {
      // a remote OUT has no lock: Hadoop's file systems have none that every scheme keeps
      if (lockFile != null && lock == null) {
        throw new IllegalArgumentException("--out " + out + " is being written by another sweep"
            + " (lock " + local.resolve(".sweep.lock") + "); wait for it or choose another --out");
      }
      List<SweepRun> pending = new ArrayList<>();
      for (SweepRun run : grid) {
        requireSameSettings(local, run);
        if (!run.finished(local.resolve(run.dir()))) {
          pending.add(run);
        }
      }
      int skipped = grid.size() - pending.size();
      err.printf(Locale.ROOT, "sweep: %d runs, %d finished already, %d to do on %s%n", grid.size(),
          skipped, pending.size(), spark.master());
      err.flush();
      long t0 = System.nanoTime();
      if (!pending.isEmpty()) {
        runOnSpark(pending, mnist, folder, err);
        folder.discard(local);
        local = folder.driverFolder(grid); // a remote OUT's runs, read back with the new ones
      }
      SweepReport.write(local, grid);
      folder.publish(local);
      err.printf(Locale.ROOT, "sweep: done in %.1f s; wrote %s/sweep.csv, lyapunov.csv and plots%n",
          (System.nanoTime() - t0) * 1e-9, out);
      err.flush();
    } finally {
      folder.discard(local); // a remote OUT's mirror, also after a failure
    }
    return 0;
  }

  /** The grid, every option checked (naming it) before anything is read or started. */
  List<SweepRun> grid() {
    List<String> networks = hidden == null || hidden.isEmpty() ? List.of("50") : hidden;
    requireDistinct("--lr", lrs);
    requireDistinct("--seed", seeds);
    requireDistinct("--hidden", networks);
    requireDistinct("--activation", activations);
    if (sharpnessEvery < 0) {
      throw new IllegalArgumentException("--sharpness-every must be >= 0, not " + sharpnessEvery);
    }
    if (sharpnessEvery > 0 && sharpnessEvery % saveEvery != 0) {
      throw new IllegalArgumentException("--sharpness-every " + sharpnessEvery + " must be a multiple"
          + " of --save-every " + saveEvery + " (the spectrum needs saved steps)");
    }
    if (lyapunov < 0) {
      throw new IllegalArgumentException("--lyapunov must be >= 0, not " + lyapunov);
    }
    if (lyapunov > 0 && steps < 1) {
      throw new IllegalArgumentException("--lyapunov needs --steps >= 1");
    }
    SweepRun.Settings settings = new SweepRun.Settings(k, steps, saveEvery, initStd, sharpnessEvery,
        lyapunov);
    List<SweepRun> grid = new ArrayList<>();
    for (String h : networks) {
      for (String activation : activations) {
        for (double lr : lrs) {
          for (long seed : seeds) {
            // dtheta's own checks of every value, naming the option (--k, --hidden, --lr, ...)
            int p = TrainedRun.checkTrainOptions(k, h, activation, steps, lr, initStd, saveEvery);
            if (lyapunov > p) {
              throw new IllegalArgumentException("--lyapunov must be in 1.." + p + " (P of --hidden "
                  + h + "), not " + lyapunov);
            }
            grid.add(new SweepRun(lr, seed, h.strip(), activation.strip().toLowerCase(Locale.ROOT),
                settings));
          }
        }
      }
    }
    return grid;
  }

  private static void requireDistinct(String option, List<?> values) {
    Set<Object> seen = new HashSet<>();
    for (Object v : values) {
      if (!seen.add(v)) {
        throw new IllegalArgumentException(option + " lists " + v + " twice");
      }
    }
  }

  /**
   * A run folder left by an earlier sweep must have this sweep's shared settings: its numbers
   * depend on them, and its folder name does not say them.
   */
  private void requireSameSettings(Path local, SweepRun run) throws IOException {
    Path dir = local.resolve(run.dir());
    for (String name : List.of("run.json", "checkpoint.json")) {
      Path json = dir.resolve(name);
      if (!Files.isRegularFile(json)) {
        continue;
      }
      JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
      JsonObject c = o.getAsJsonObject("config");
      // dtheta's JSON names (snake case); a field it lacks counts as different
      if (c == null || !c.has("k") || !c.has("steps") || !c.has("save_every") || !c.has("init_std")
          || c.get("k").getAsInt() != k || c.get("steps").getAsInt() != steps
          || c.get("save_every").getAsInt() != saveEvery
          || c.get("init_std").getAsDouble() != initStd) {
        throw new IllegalArgumentException("--out " + out + " holds " + json + " of a run with other"
            + " settings (" + c + "); use the same --k, --steps, --save-every and --init-std to"
            + " resume, or another --out");
      }
    }
  }

  /** One task per pending run; progress and ETA on stderr as tasks end. */
  private void runOnSpark(List<SweepRun> pending, MnistBytes mnist, SweepFolder folder,
      PrintWriter err) {
    try (JavaSparkContext sc = spark.start("dtheta sweep " + out)) {
      SweepProgress progress = new SweepProgress("sweep", "runs", pending.size(), err);
      sc.sc().addSparkListener(progress);
      Broadcast<MnistBytes> data = sc.broadcast(mnist);
      SweepFolder shipped = folder.local() ? folder
          : SweepFolder.of(out, sc.hadoopConfiguration()); // with spark.hadoop.* from spark-submit
      List<SweepRun.Outcome> outcomes = sc.parallelize(pending, pending.size())
          .map(run -> shipped.run(run, data.value()))
          .collect();
      for (SweepRun.Outcome o : outcomes) {
        if (!o.status().equals("complete")) {
          err.println("sweep: " + o.dir() + " " + o.status());
        }
      }
      err.flush();
    }
  }
}
