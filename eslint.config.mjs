// ESLint for the whole repository (`npm run lint`). Formatting is Prettier's job (.prettierrc.json);
// import cycles are madge's (`npm run cycles`).
import eslint from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const testFiles = ['test/**/*.ts', '**/*.test.ts'];

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', '.data/', '.scratch/']),

  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [eslint.configs.recommended],
  },
  {
    // jest.config.js and the example plugin are plain CommonJS run by Node.
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        exports: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
      },
    },
  },

  {
    files: ['**/*.ts'],
    extends: [eslint.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_name` marks a parameter a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },

  {
    // Tests read GraphQL responses, JSON bodies and raw rows as `any` (test/support's GraphqlResponse
    // and dataOf), and typing every response shape would add a cast per assertion and catch nothing
    // the assertions do not. So in tests `any` is allowed and the no-unsafe-* family is off; every
    // other type-checked rule (floating or misused promises, awaiting non-promises, ...) still applies.
    files: testFiles,
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  {
    // The data layer (docs/data-layer.md): SQL is sent only from a module's *.repository.ts and
    // from migrations; tests and benchmarks may read the database directly.
    files: ['subgraph/**/*.ts', 'plugins/**/*.ts'],
    ignores: ['**/*.repository.ts', ...testFiles],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          "CallExpression[callee.property.name='query']",
          "CallExpression[callee.property.name='preparedQuery']",
          "CallExpression[callee.name='preparedQuery']",
        ].map((selector) => ({
          selector,
          message: 'SQL is sent only from a *.repository.ts file (docs/data-layer.md): add a named function there.',
        })),
      ],
    },
  },
);
