package org.dtheta.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dtheta.mnist.plot.Plots;
import org.dtheta.nn.io.AtomicFiles;

/**
 * The summary of a sweep, from its run folders: {@code sweep.csv} (one row per run and step,
 * metrics.csv's numbers as written, the sharpness and smallest Hessian eigenvalue where
 * computed, empty elsewhere), {@code lyapunov.csv}, and plots: sharpness against step for each
 * learning rate ({@code sharpness_lr<alpha>.png}, with its 2/alpha line), the top Lyapunov
 * exponent and the final loss against the learning rate. Every file is written to a
 * temporary name and renamed, so it is complete or absent.
 */
final class SweepReport {

  static final String SWEEP_HEADER = "run_dir,lr,seed,hidden,activation,status,step,loss,"
      + "train_accuracy,test_accuracy,grad_norm,sharpness,lambda_min";
  static final String LYAPUNOV_HEADER = "run_dir,lr,seed,hidden,activation,index,exponent";

  private SweepReport() {}

  /** Reads every run of {@code grid} under {@code out} and writes the summary files. */
  static void write(Path out, List<SweepRun> grid) throws IOException {
    StringBuilder sweep = new StringBuilder(SWEEP_HEADER).append('\n');
    StringBuilder lyapunov = new StringBuilder(LYAPUNOV_HEADER).append('\n');
    // sharpness curves by learning rate: one plot each, with its own 2/alpha line
    Map<Double, List<Plots.Series>> sharpness = new TreeMap<>();
    // top exponent and final loss against alpha, one curve per network and seed
    Map<String, TreeMap<Double, Double>> topExponent = new LinkedHashMap<>();
    Map<String, TreeMap<Double, Double>> finalLoss = new LinkedHashMap<>();
    for (SweepRun run : grid) {
      Path dir = out.resolve(run.dir());
      String status = SweepRun.status(dir);
      if (status == null) {
        throw new NoSuchFileException(dir.resolve("run.json").toString(), null,
            "the run did not finish; rerun the sweep to resume it");
      }
      Map<String, String[]> ends = spectrumEnds(dir);
      List<String[]> metrics = Csv.rows(dir.resolve("metrics.csv"));
      String prefix = run.dir() + "," + run.csvFields() + "," + status + ",";
      double[] steps = new double[ends.size()];
      double[] top = new double[ends.size()];
      int at = 0;
      for (String[] m : metrics) {
        String[] e = ends.get(m[0]);
        // step,loss,train_accuracy,test_accuracy,grad_norm (seconds left out: not a result)
        sweep.append(prefix).append(String.join(",", m[0], m[1], m[2], m[3], m[4])).append(',')
            .append(e == null ? "," : e[0] + "," + e[1]).append('\n');
        if (e != null && at < steps.length) {
          steps[at] = Double.parseDouble(m[0]);
          top[at++] = Double.parseDouble(e[0]);
        }
      }
      String curve = "h" + run.hidden() + " " + run.activation() + " seed " + run.seed();
      if (at > 0) {
        sharpness.computeIfAbsent(run.lr(), lr -> new ArrayList<>()).add(new Plots.Series(curve,
            java.util.Arrays.copyOf(steps, at), java.util.Arrays.copyOf(top, at)));
      }
      if (!metrics.isEmpty()) {
        finalLoss.computeIfAbsent(curve, c -> new TreeMap<>())
            .put(run.lr(), Double.parseDouble(metrics.get(metrics.size() - 1)[1]));
      }
      Path exponents = dir.resolve("lyapunov.csv");
      if (run.settings().lyapunov() > 0 && Files.isRegularFile(exponents)) {
        List<String[]> rows = Csv.rows(exponents);
        for (String[] r : rows) {
          lyapunov.append(run.dir()).append(',').append(run.csvFields()).append(',')
              .append(r[0]).append(',').append(r[1]).append('\n');
        }
        topExponent.computeIfAbsent(curve, c -> new TreeMap<>())
            .put(run.lr(), Double.parseDouble(rows.get(0)[1]));
      }
    }
    AtomicFiles.writeString(out.resolve("sweep.csv"), sweep.toString());
    AtomicFiles.writeString(out.resolve("lyapunov.csv"), lyapunov.toString());
    for (Map.Entry<Double, List<Plots.Series>> e : sharpness.entrySet()) {
      double lr = e.getKey();
      Plots.lines(out.resolve("sharpness_lr" + lr + ".png"), "Sharpness along training, alpha = "
          + lr, "step", "largest eigenvalue of Hess L", e.getValue(),
          List.of(new Plots.Reference(2 / lr, "2/alpha = " + (2 / lr))), false);
    }
    if (!topExponent.isEmpty()) {
      Plots.lines(out.resolve("lyapunov.png"), "Top Lyapunov exponent against the learning rate",
          "learning rate alpha", "top exponent per step", against(topExponent),
          List.of(new Plots.Reference(0, "0")), false);
    }
    if (!finalLoss.isEmpty()) {
      Plots.lines(out.resolve("final_loss.png"), "Final training loss against the learning rate",
          "learning rate alpha", "loss at the last step", against(finalLoss), List.of(), false);
    }
  }

  /**
   * Step (as written) to {sharpness, smallest Hessian eigenvalue} from the run's sharpness.csv and
   * spectrum.csv ({@code dtheta spectrum}'s files), or an empty map without them.
   */
  private static Map<String, String[]> spectrumEnds(Path dir) throws IOException {
    Map<String, String[]> ends = new LinkedHashMap<>();
    Path sharpness = dir.resolve("sharpness.csv");
    Path spectrum = dir.resolve("spectrum.csv");
    if (!Files.isRegularFile(sharpness) || !Files.isRegularFile(spectrum)) {
      return ends;
    }
    Map<String, String> smallest = new HashMap<>();
    for (String[] r : Csv.rows(spectrum)) {
      // step,end,index,hessian_eigenvalue,...: the smallest end's first pair is lambda_min
      if (r[1].equals("smallest") && r[2].equals("1")) {
        smallest.put(r[0], r[3]);
      }
    }
    for (String[] r : Csv.rows(sharpness)) {
      ends.put(r[0], new String[] {r[1], smallest.getOrDefault(r[0], "")});
    }
    return ends;
  }

  private static List<Plots.Series> against(Map<String, TreeMap<Double, Double>> curves) {
    List<Plots.Series> series = new ArrayList<>();
    curves.forEach((name, points) -> series.add(new Plots.Series(name,
        points.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
        points.values().stream().mapToDouble(Double::doubleValue).toArray())));
    return series;
  }
}
