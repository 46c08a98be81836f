package org.dtheta.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2 x 2 sweep on {@code local[2,2]} gives byte for byte the files of single-machine {@code
 * dtheta train}, {@code spectrum} and {@code lyapunov}, also for a run whose first task attempt
 * fails half-way (retried, resumed); a rerun skips every finished run; bad options exit 2 before
 * Spark starts.
 */
class SweepTest {

  private static final String K = "20";
  private static final String STEPS = "4";
  private static final String HIDDEN = "3";

  @TempDir Path tmp;

  @Test
  void sweepEqualsSingleMachineRunsAndRerunSkips() throws Exception {
    Path data = TinyMnist.write(tmp.resolve("mnist"), 20, 10);
    Path out = tmp.resolve("sweep");
    String failing = "runs/lr0.5_seed1_h3_sigmoid";
    List<String> words = List.of("sweep", "--data", data.toString(), "--k", K, "--steps", STEPS,
        "--hidden", HIDDEN, "--lr", "0.1,0.5", "--seed", "0,1", "--sharpness-every", "2",
        "--lyapunov", "2", "--master", "local[2,2]", "--out", out.toString());
    System.setProperty(SweepRun.FAIL_FIRST_ATTEMPT, failing);
    TinyMnist.Result first;
    try {
      first = TinyMnist.dthetaSpark(words.toArray(String[]::new));
    } finally {
      System.clearProperty(SweepRun.FAIL_FIRST_ATTEMPT);
    }
    assertEquals(0, first.code(), first.err());
    assertTrue(first.err().contains("4 to do"), first.err());
    assertTrue(first.err().contains("failed"), "the injected failure shows: " + first.err());
    String failingLog = Files.readString(out.resolve("logs/lr0.5_seed1_h3_sigmoid.log"));
    assertTrue(failingLog.contains("attempt 1") && failingLog.contains("Resuming"), failingLog);

    List<String> sweepRows = Files.readAllLines(out.resolve("sweep.csv"));
    assertEquals(SweepReport.SWEEP_HEADER, sweepRows.get(0));
    assertEquals(1 + 4 * 5, sweepRows.size(), "4 runs x steps 0..4");
    for (String lr : List.of("0.1", "0.5")) {
      for (String seed : List.of("0", "1")) {
        String dir = "runs/lr" + lr + "_seed" + seed + "_h3_sigmoid";
        Path single = tmp.resolve("single-" + lr + "-" + seed);
        TinyMnist.Result train = TinyMnist.dtheta("train", "--data", data.toString(), "--k", K,
            "--steps", STEPS, "--hidden", HIDDEN, "--lr", lr, "--seed", seed, "--out",
            single.toString(), "--quiet");
        assertEquals(0, train.code(), train.err());
        Path swept = out.resolve(dir);
        assertArrayEquals(Files.readAllBytes(single.resolve("trajectory.npy")),
            Files.readAllBytes(swept.resolve("trajectory.npy")), dir + " trajectory");
        assertEquals(withoutSeconds(single.resolve("metrics.csv")),
            withoutSeconds(swept.resolve("metrics.csv")), dir + " metrics");
        assertEquals(0, TinyMnist.dtheta("spectrum", "--run", single.toString(), "--steps",
            "0,2,4", "--top", "1", "--bottom", "1", "--quiet").code());
        assertEquals(0, TinyMnist.dtheta("lyapunov", "--run", single.toString(), "--m", "2",
            "--quiet").code());
        for (String file : List.of("spectrum.csv", "sharpness.csv", "lyapunov.csv",
            "lyapunov_history.csv")) {
          assertEquals(Files.readString(single.resolve(file)), Files.readString(swept.resolve(file)),
              dir + " " + file);
        }
        // sweep.csv carries metrics.csv's numbers and the spectrum's two ends, as written
        List<String> rows = sweepRows.stream().filter(r -> r.startsWith(dir + ","))
            .collect(Collectors.toList());
        assertEquals(5, rows.size(), dir);
        String[] step2 = rows.get(2).split(",");
        String[] sharp2 = Files.readAllLines(single.resolve("sharpness.csv")).get(2).split(",");
        assertEquals("2", step2[6]);
        assertEquals(sharp2[1], step2[11], "sharpness at step 2");
        assertFalse(step2[12].isEmpty(), "lambda_min at step 2");
        assertEquals("", rows.get(1).split(",", -1)[11], "no sharpness at step 1");
      }
    }
    assertEquals(1 + 4 * 2, Files.readAllLines(out.resolve("lyapunov.csv")).size());
    for (String png : List.of("sharpness_lr0.1.png", "sharpness_lr0.5.png", "lyapunov.png",
        "final_loss.png")) {
      assertTrue(Files.size(out.resolve(png)) > 1000, png);
    }

    // A rerun finds everything finished: no task, no file rewritten, the same summary.
    byte[] summary = Files.readAllBytes(out.resolve("sweep.csv"));
    FileTime before = Files.getLastModifiedTime(out.resolve(failing).resolve("trajectory.npy"));
    TinyMnist.Result again = TinyMnist.dthetaSpark(words.toArray(String[]::new));
    assertEquals(0, again.code(), again.err());
    assertTrue(again.err().contains("4 finished already, 0 to do"), again.err());
    assertArrayEquals(summary, Files.readAllBytes(out.resolve("sweep.csv")));
    assertEquals(before, Files.getLastModifiedTime(out.resolve(failing).resolve("trajectory.npy")));
  }

  @Test
  void remoteOutGetsFinishedRunsOnly() throws Exception {
    Path data = TinyMnist.write(tmp.resolve("mnist"), 20, 10);
    Path remote = tmp.resolve("remote");
    List<String> words = List.of("sweep", "--data", data.toString(), "--k", K, "--steps", STEPS,
        "--hidden", HIDDEN, "--lr", "0.1,0.5", "--sharpness-every", "2", "--master", "local[2]",
        "--conf", "spark.hadoop.fs.testfs.impl=" + LocalTestFileSystem.class.getName(),
        "--out", "testfs://" + remote);
    TinyMnist.Result r = TinyMnist.dthetaSpark(words.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    Path single = tmp.resolve("single");
    assertEquals(0, TinyMnist.dtheta("train", "--data", data.toString(), "--k", K, "--steps", STEPS,
        "--hidden", HIDDEN, "--lr", "0.5", "--out", single.toString(), "--quiet").code());
    Path run = remote.resolve("runs/lr0.5_seed0_h3_sigmoid");
    assertArrayEquals(Files.readAllBytes(single.resolve("trajectory.npy")),
        Files.readAllBytes(run.resolve("trajectory.npy")));
    try (var files = Files.list(run)) {
      assertEquals(List.of("accuracy.png", "loss.png", "metrics.csv", "run.json", "sharpness.csv",
          "sharpness.png", "spectrum.csv", "trajectory.npy"),
          files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList()),
          "the finished run's files, no checkpoint, partial, lock or temporary file");
    }
    assertEquals(1 + 2 * 5, Files.readAllLines(remote.resolve("sweep.csv")).size());
    assertTrue(Files.isRegularFile(remote.resolve("logs/lr0.5_seed0_h3_sigmoid.log")));
    Path staging = SweepFolder.of("testfs://" + remote, new org.apache.hadoop.conf.Configuration())
        .staging();
    assertTrue(Files.isDirectory(staging.resolve("runs")), staging + " was used");
    try (var staged = Files.walk(staging)) {
      assertFalse(staged.anyMatch(f -> f.toString().endsWith("trajectory.npy")),
          "staged runs are deleted once copied up");
    }
    TinyMnist.Result again = TinyMnist.dthetaSpark(words.toArray(String[]::new));
    assertEquals(0, again.code(), again.err());
    assertTrue(again.err().contains("2 finished already, 0 to do"), again.err());
  }

  @Test
  void badOptionsExitTwoNamingTheOptionBeforeSparkStarts() throws Exception {
    Path data = TinyMnist.write(tmp.resolve("mnist"), 20, 10);
    Path out = tmp.resolve("never");
    List<String> base = List.of("sweep", "--data", data.toString(), "--k", "5", "--steps", "2",
        "--hidden", "3", "--out", out.toString());
    String[][] cases = {
      {"--lr", "0.1,-1"}, {"--hidden", "0"}, {"--activation", "swish"}, {"--k", "21"},
      {"--seed", "1,1"}, {"--save-every", "2", "--sharpness-every", "3"}, {"--threads", "0"},
      {"--lyapunov", "-1"}, {"--data", tmp.resolve("nowhere").toString()},
      {"--conf", "executor.memory=1g"},
    };
    for (String[] extra : cases) {
      List<String> words = new ArrayList<>(base);
      for (int i = 0; i < extra.length; i += 2) {
        int at = words.indexOf(extra[i]);
        if (at >= 0) {
          words.set(at + 1, extra[i + 1]);
        } else {
          words.add(extra[i]);
          words.add(extra[i + 1]);
        }
      }
      TinyMnist.Result r = TinyMnist.dthetaSpark(words.toArray(String[]::new));
      assertEquals(2, r.code(), String.join(" ", extra) + ": " + r.err());
      String option = extra[extra.length - 2];
      assertTrue(r.err().contains(option.equals("--data") ? "nowhere" : option),
          "names " + option + ": " + r.err());
      assertFalse(Files.exists(out), "nothing written for " + String.join(" ", extra));
    }
  }

  /** metrics.csv without its last column, the wall-clock seconds. */
  private static List<String> withoutSeconds(Path metrics) throws IOException {
    return Files.readAllLines(metrics).stream().map(l -> l.substring(0, l.lastIndexOf(',')))
        .collect(Collectors.toList());
  }
}
