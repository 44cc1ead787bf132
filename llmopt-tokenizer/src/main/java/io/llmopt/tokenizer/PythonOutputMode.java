package io.llmopt.tokenizer;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.expression.ExpressionStrategy;
import com.hubspot.jinjava.mode.ExecutionMode;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;

/**
 * Jinjava's execution mode with one change, made through {@link ExecutionMode#prepareContext}: {@code {{ value }}}
 * prints as jinja2 prints, i.e. Python's {@code str(value)} (True/False for booleans, "" for undefined), and the
 * printed text is never interpreted again as a template (Jinjava's default re-renders output that contains
 * {@code {{}, which would let message content inject template code).
 */
final class PythonOutputMode implements ExecutionMode {
    static final PythonOutputMode INSTANCE = new PythonOutputMode();

    @Override
    public void prepareContext(Context context) {
        context.setExpressionStrategy(new PythonExpressionStrategy());
    }

    private static final class PythonExpressionStrategy implements ExpressionStrategy {
        private static final long serialVersionUID = 1L;

        @Override
        public RenderedOutputNode interpretOutput(ExpressionToken master, JinjavaInterpreter interpreter) {
            Object value = interpreter.resolveELExpression(master.getExpr(), master.getLineNumber());
            return new RenderedOutputNode(PythonRepr.str(value));
        }
    }
}
