package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dtheta.nn.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {

  @TempDir Path tmp;

  @Test
  void demoRunsEveryStageAndSaysWhereOutputsAre() throws IOException {
    Path data = Fixtures.mnist(tmp.resolve("mnist"), true);
    Path out = tmp.resolve("demo");
    Fixtures.Result r = Fixtures.run("demo", "--data", data.toString(), "--k", "12", "--hidden", "2",
        "--steps", "4", "--save-every", "2", "--spectrum-steps", "2", "--top", "2", "--bottom", "1",
        "--lyapunov", "2", "--quiet", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    int p = 795 * 2 + 10;
    assertArrayEquals(new long[] {p, p}, Npy.header(out.resolve("jacobian.npy")).shape());
    for (String f : new String[] {"run/trajectory.npy", "run/metrics.csv", "run/run.json",
        "run/loss.png", "run/accuracy.png", "run/spectrum.csv", "run/sharpness.png",
        "run/lyapunov.csv", "run/lyapunov.png"}) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
      assertTrue(r.out().contains(out.resolve(f).toAbsolutePath().toString()),
          "the summary names " + f + ":\n" + r.out());
    }
    assertTrue(r.out().contains("== Done"), r.out());
    // the spectrum ran at the first and the last saved steps
    assertEquals(2, Files.readAllLines(out.resolve("run/sharpness.csv")).size() - 1);
  }

  @Test
  void aFailingStageStopsTheDemoWithItsExitCode() throws IOException {
    Path data = Fixtures.mnist(tmp.resolve("mnist"), false);
    Fixtures.Result r = Fixtures.run("demo", "--data", data.toString(), "--k", "12", "--hidden", "2",
        "--steps", "2", "--jacobian", "W9,b2", "--quiet", "--out", tmp.resolve("d").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("W9"), r.toString());
  }
}
