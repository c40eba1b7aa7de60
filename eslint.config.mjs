import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'test-artifacts/**', 'build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The Bot Framework SDK is retired: it stays behind the thin adapter in src/bot.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['botbuilder', 'botbuilder-*', 'botframework-*'],
              message: 'Only src/bot may import the Bot Framework SDK.',
            },
          ],
        },
      ],
    },
  },
  {
    // The bot adapter, its tests, and the bench's bare-bot yardstick.
    files: ['src/bot/**/*.{ts,tsx}', 'test/bot/**/*.{ts,tsx}', 'bench/bare-bot.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The bot reaches the store only through its conversation-reference port: elsewhere in src/bot it calls the
    // workflow's commands and queries (dependency-cruiser stops the imports; this stops `deps.store`).
    files: ['src/bot/**/*.{ts,tsx}'],
    ignores: ['src/bot/conversations.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='store']",
          message:
            'src/bot does not use the store: call a workflow query or command (src/workflow), or the conversation port (conversations.ts).',
        },
        {
          selector: "ObjectPattern > Property[key.name='store']",
          message:
            'src/bot does not use the store: call a workflow query or command (src/workflow), or the conversation port (conversations.ts).',
        },
      ],
    },
  },
  {
    files: ['**/*.{js,cjs,mjs}'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
