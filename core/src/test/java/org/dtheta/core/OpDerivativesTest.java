package org.dtheta.core;

import java.util.Random;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op in {@link OpCase#ALL}, with every allowed mix of variable and constant operands, at
 * sizes {@code r = 3, c = 4, q = 2} (no two alike, so a transposed index shows), composed into
 * {@code sum(square(op))}: each derivative against its oracle (see {@link DerivativeChecks}),
 * one test per op, operand mix and check.
 */
class OpDerivativesTest {

  static final int R = 3;
  static final int C = 4;
  static final int Q = 2;

  /** The checks, each with its oracle named. */
  enum Check {
    GRADIENT_VS_FINITE_DIFFERENCES((b, rnd) -> DerivativeChecks.gradient(b)),
    JVP_VS_FINITE_DIFFERENCES(DerivativeChecks::jacobianVectorProduct),
    VJP_DOT_PRODUCT_IDENTITY(DerivativeChecks::vectorJacobianProduct),
    HVP_VS_FINITE_DIFFERENCES_OF_GRADIENT(DerivativeChecks::hessianVectorProduct),
    BATCHED_HVP_EQUALS_SINGLE_HVPS((b, rnd) -> DerivativeChecks.batchedEqualsSingle(b, rnd, 4)),
    DENSE_HESSIAN_SYMMETRIC_AND_MATCHES_HVP(DerivativeChecks::denseHessian),
    DENSE_JACOBIAN_MATCHES_JVP_AND_VJP(DerivativeChecks::denseJacobian);

    final BiConsumer<OpCase.Built, Random> run;

    Check(BiConsumer<OpCase.Built, Random> run) {
      this.run = run;
    }
  }

  static Stream<Arguments> checks() {
    return OpCase.ALL.stream()
        .flatMap(op -> op.activityPatterns().stream()
            .flatMap(active -> Stream.of(Check.values())
                .map(check -> Arguments.of(op, OpCase.describe(active), check, active))));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("checks")
  void derivativeMatchesItsOracle(OpCase op, String pattern, Check check, boolean[] active) {
    Random rnd = new Random((op.name + pattern + check).hashCode());
    check.run.accept(op.build(R, C, Q, active, rnd), rnd);
  }
}
